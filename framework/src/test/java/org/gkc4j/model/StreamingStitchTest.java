package org.gkc4j.model;

import org.gkc4j.criterion.LinearAssignment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stitcher folding clips in one at a time against an all-at-once computation written here from the stitching
 * rule (every clip's masks upsampled to full resolution and kept, tracks from consecutive matches, class means over
 * the video, frame masks averaged over the clips holding the frame), on synthetic videos many clips long whose
 * queries come in a fresh random order in every clip.
 */
class StreamingStitchTest {
    private static final int Q = 5, LOW_H = 3, LOW_W = 4, H = 12, W = 16, CLIP = 4, OVERLAP = 1;
    private static final int[] VOCABULARIES = {4, 3};

    /** A synthetic video's clips, and the query order each clip was given (clip c's query j shows track order[c][j]). */
    private record Synthetic(List<ClipStitcher.Clip> clips, int[][] order) {
    }

    private static Synthetic video(int frames, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][][] base = new float[Q][frames][LOW_H * LOW_W];
        for (float[][] track : base) {
            for (float[] f : track) {
                for (int p = 0; p < f.length; p++) {
                    f[p] = (float) (3 * rng.nextGaussian());
                }
            }
        }
        double[][] trackEmb = new double[Q][6];
        for (double[] e : trackEmb) {
            for (int d = 0; d < e.length; d++) {
                e[d] = rng.nextGaussian();
            }
        }
        List<ClipStitcher.Clip> clips = new ArrayList<>();
        List<int[]> order = new ArrayList<>();
        for (int start : ClipStitcher.starts(frames, CLIP, OVERLAP)) {
            int[] perm = permutation(rng);
            float[][][] masks = new float[Q][CLIP][LOW_H * LOW_W];
            double[][] emb = new double[Q][6];
            double[][][] probs = new double[VOCABULARIES.length][Q][];
            for (int j = 0; j < Q; j++) {
                for (int t = 0; t < CLIP; t++) {
                    for (int p = 0; p < LOW_H * LOW_W; p++) {
                        masks[j][t][p] = base[perm[j]][start + t][p] + (float) (0.5 * rng.nextGaussian());
                    }
                }
                for (int d = 0; d < 6; d++) {
                    emb[j][d] = trackEmb[perm[j]][d] + 0.3 * rng.nextGaussian();
                }
                for (int v = 0; v < VOCABULARIES.length; v++) {
                    probs[v][j] = new double[VOCABULARIES[v]];
                    double sum = 0.2;   // the dropped void's share
                    for (int i = 0; i < probs[v][j].length; i++) {
                        probs[v][j][i] = rng.nextDouble();
                        sum += probs[v][j][i];
                    }
                    for (int i = 0; i < probs[v][j].length; i++) {
                        probs[v][j][i] /= sum;
                    }
                }
            }
            clips.add(new ClipStitcher.Clip(start, masks, LOW_H, LOW_W, probs, emb));
            order.add(perm);
        }
        return new Synthetic(clips, order.toArray(new int[0][]));
    }

    private static int[] permutation(SplittableRandom rng) {
        int[] p = new int[Q];
        for (int i = 0; i < Q; i++) {
            p[i] = i;
        }
        for (int i = Q - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** PyTorch's bilinear resize (align_corners=False, size given) of one [LOW_H*LOW_W] map to [H*W], pixel by pixel. */
    private static float[] bilinear(float[] low) {
        float[] out = new float[H * W];
        for (int y = 0; y < H; y++) {
            double sy = Math.max((y + 0.5) * LOW_H / H - 0.5, 0);
            int y0 = Math.min((int) sy, LOW_H - 1), y1 = Math.min(y0 + 1, LOW_H - 1);
            double ly = sy - y0;
            for (int x = 0; x < W; x++) {
                double sx = Math.max((x + 0.5) * LOW_W / W - 0.5, 0);
                int x0 = Math.min((int) sx, LOW_W - 1), x1 = Math.min(x0 + 1, LOW_W - 1);
                double lx = sx - x0;
                double top = (1 - lx) * low[y0 * LOW_W + x0] + lx * low[y0 * LOW_W + x1];
                double bottom = (1 - lx) * low[y1 * LOW_W + x0] + lx * low[y1 * LOW_W + x1];
                out[y * W + x] = (float) ((1 - ly) * top + ly * bottom);
            }
        }
        return out;
    }

    /** The stitching rule computed at once over all clips, all held at full resolution: labels [V][F][H*W]. */
    private static int[][][] allAtOnce(List<ClipStitcher.Clip> clips, int frames, double maskWeight, double embWeight) {
        int n = clips.size();
        float[][][][] full = new float[n][Q][CLIP][];
        for (int c = 0; c < n; c++) {
            for (int j = 0; j < Q; j++) {
                for (int t = 0; t < CLIP; t++) {
                    full[c][j][t] = bilinear(clips.get(c).masks()[j][t]);
                }
            }
        }
        int[][] tracks = new int[n][Q];
        for (int j = 0; j < Q; j++) {
            tracks[0][j] = j;
        }
        for (int c = 1; c < n; c++) {
            ClipStitcher.Clip prev = clips.get(c - 1), next = clips.get(c);
            int from = next.start(), to = prev.start() + CLIP;
            double[][] cost = new double[Q][Q];
            for (int j = 0; j < Q; j++) {
                for (int i = 0; i < Q; i++) {
                    float[][] a = new float[to - from][], b = new float[to - from][];
                    for (int f = from; f < to; f++) {
                        a[f - from] = full[c - 1][i][f - prev.start()];
                        b[f - from] = full[c][j][f - next.start()];
                    }
                    cost[j][i] = -(maskWeight * ClipStitcher.softIoU(a, b) + embWeight * ClipStitcher.cosine(prev.embeddings()[i], next.embeddings()[j]));
                }
            }
            int[] m = LinearAssignment.solve(cost);
            for (int j = 0; j < Q; j++) {
                tracks[c][j] = tracks[c - 1][m[j]];
            }
        }
        int[][][] out = new int[VOCABULARIES.length][frames][H * W];
        for (int v = 0; v < VOCABULARIES.length; v++) {
            int k = VOCABULARIES[v];
            double[][] probs = new double[Q][k];
            for (int c = 0; c < n; c++) {
                for (int j = 0; j < Q; j++) {
                    for (int i = 0; i < k; i++) {
                        probs[tracks[c][j]][i] += clips.get(c).probs()[v][j][i];
                    }
                }
            }
            for (double[] p : probs) {
                for (int i = 0; i < k; i++) {
                    p[i] /= n;
                }
            }
            for (int f = 0; f < frames; f++) {
                double[][] mask = new double[Q][H * W];
                int holders = 0;
                for (int c = 0; c < n; c++) {
                    int s = clips.get(c).start();
                    if (f >= s && f < s + CLIP) {
                        holders++;
                        for (int j = 0; j < Q; j++) {
                            for (int p = 0; p < H * W; p++) {
                                mask[tracks[c][j]][p] += 1 / (1 + Math.exp(-full[c][j][f - s][p]));
                            }
                        }
                    }
                }
                for (int p = 0; p < H * W; p++) {
                    int best = 0;
                    double bestScore = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < k; i++) {
                        double score = 0;
                        for (int t = 0; t < Q; t++) {
                            score += probs[t][i] * (mask[t][p] / holders);
                        }
                        if (score > bestScore) {
                            bestScore = score;
                            best = i;
                        }
                    }
                    out[v][f][p] = best;
                }
            }
        }
        return out;
    }

    private static ClipStitcher.Video streamed(Synthetic s, int frames, ClipStitcher stitcher) {
        ClipStitcher.Video v = stitcher.video(frames, H, W);
        for (ClipStitcher.Clip c : s.clips()) {
            v.add(c);
        }
        return v;
    }

    @Test
    void foldingClipsInOneByOneGivesTheAllAtOnceLabels() {
        int frames = 23;   // clips at 0, 3, ..., 18 and 19: the last overlaps its neighbour by three frames
        Synthetic s = video(frames, 11);
        assertEquals(8, s.clips().size());
        ClipStitcher stitcher = new ClipStitcher(1.0, 0.5, TrackClassVote.UNIFORM);
        ClipStitcher.Video v = streamed(s, frames, stitcher);
        // the matching recovers the generating order: the last clip's query j is track order[last][j]
        assertArrayEquals(s.order()[s.order().length - 1], compose(s.order(), v.tracks()), "tracks recovered");
        int[][][] want = allAtOnce(s.clips(), frames, 1.0, 0.5), got = v.labelMaps();
        int changed = 0;
        for (int vocab = 0; vocab < VOCABULARIES.length; vocab++) {
            for (int f = 0; f < frames; f++) {
                assertArrayEquals(want[vocab][f], got[vocab][f], "vocabulary " + vocab + " frame " + f);
                for (int p = 0; p < H * W; p++) {
                    changed += want[vocab][f][p] != want[vocab][0][0] ? 1 : 0;
                }
            }
        }
        assertTrue(changed > 1000, "labels vary over pixels and frames: " + changed);
    }

    /** Clip 0's query i is track i; a track's generating index is order[0][track], so the last clip's query j is order[0][tracks[j]]. */
    private static int[] compose(int[][] order, int[] tracks) {
        int[] out = new int[tracks.length];
        for (int j = 0; j < tracks.length; j++) {
            out[j] = order[0][tracks[j]];
        }
        return out;
    }

    @Test
    void fullResolutionFramesHeldDoNotGrowWithTheVideo() {
        ClipStitcher stitcher = new ClipStitcher(1.0, 0.5, TrackClassVote.UNIFORM);
        for (int frames : new int[]{23, 95}) {
            ClipStitcher.Video v = streamed(video(frames, 5), frames, stitcher);
            v.labelMaps();
            // the previous clip's frames a next clip can share (CLIP - 1) and one frame of the clip being matched
            assertEquals(CLIP, v.peakFullResolutionFrames(), frames + " frames");
        }
    }
}
