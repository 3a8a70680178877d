package org.gkc4j.model;

import org.gkc4j.criterion.LinearAssignment;
import org.gkc4j.nn.Resize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Long videos clip by clip: overlapping clips are run separately and their queries joined into tracks, so a segment
 * keeps one label through the video. A clip's queries are matched one to one (exactly, {@link LinearAssignment}) to
 * the previous clip's by maximal {@code maskWeight} x soft IoU of their masks (bilinearly upsampled to the frame
 * size) over the frames both clips hold plus {@code embeddingWeight} x cosine of their query embeddings. A track's
 * class probabilities are their mean over the clips it runs through, each clip weighted by a {@link TrackClassVote};
 * a frame's semantic scores are, as for images, the sum over tracks of class probabilities times the sigmoid of the
 * track's upsampled mask (averaged over the clips that hold the frame). Matching reads masks and embeddings only, so
 * the tracks do not depend on the vocabulary and one stitching serves every vocabulary a clip was classified against.
 *
 * <p>Clips are folded in as they come ({@link Video}). Because a track's class is its mean over the whole video, the
 * last clip can change any frame's label, so no frame is final before the video is: what is kept of a folded clip is
 * its masks at the network's mask resolution (the frame size / 4 for GKC, 1/16 of the pixels). Full-resolution masks
 * exist only for the frames two neighbouring clips share, one frame of one clip at a time beyond those.
 */
public final class ClipStitcher {
    /**
     * One clip's prediction: its first frame in the video, mask logits [Q][T][h*w] at the mask resolution h x w,
     * class probabilities [V][Q][K_v] against each of V vocabularies (softmax over the names and void, void dropped)
     * and query embeddings [Q][E].
     */
    public record Clip(int start, float[][][] masks, int maskHeight, int maskWidth, double[][][] probs, double[][] embeddings) {
        public int frames() {
            return masks[0].length;
        }

        public int queries() {
            return masks.length;
        }
    }

    private final double maskWeight, embeddingWeight;
    private final TrackClassVote vote;

    public ClipStitcher(double maskWeight, double embeddingWeight, TrackClassVote vote) {
        this.maskWeight = maskWeight;
        this.embeddingWeight = embeddingWeight;
        this.vote = vote;
    }

    /** First frames of the clips of length {@code length} that cover {@code frames} frames, neighbours sharing at least {@code overlap}. */
    public static List<Integer> starts(int frames, int length, int overlap) {
        if (length < 1 || overlap < 0 || overlap >= length) {
            throw new IllegalArgumentException("clips of " + length + " frames cannot overlap by " + overlap);
        }
        List<Integer> out = new ArrayList<>();
        if (frames <= length) {
            out.add(0);
            return out;
        }
        for (int s = 0; ; s += length - overlap) {
            int start = Math.min(s, frames - length);
            out.add(start);
            if (start + length >= frames) {
                return out;
            }
        }
    }

    /** A video of {@code frames} frames of {@code height} x {@code width} pixels, clips to be added in order. */
    public Video video(int frames, int height, int width) {
        return new Video(frames, height, width);
    }

    /** Sum of sigmoid products over sum of sigmoid unions (probabilistic sums), over all frames given. */
    static double softIoU(float[][] a, float[][] b) {
        double[] iu = new double[2];
        for (int f = 0; f < a.length; f++) {
            accumulate(a[f], b[f], iu);
        }
        return iou(iu);
    }

    /** Adds one frame's soft intersection and union of two masks to {@code iu}. */
    private static void accumulate(float[] a, float[] b, double[] iu) {
        for (int p = 0; p < a.length; p++) {
            double x = sigmoid(a[p]), y = sigmoid(b[p]);
            iu[0] += x * y;
            iu[1] += x + y - x * y;
        }
    }

    private static double iou(double[] iu) {
        return iu[1] == 0 ? 0 : iu[0] / iu[1];
    }

    static double cosine(double[] a, double[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /**
     * One video being stitched. {@link #add} folds a clip in: its queries are matched to the previous clip's on the
     * frames they share, its class probabilities added to its tracks', its low-resolution masks kept; then the frames
     * the next clip will share are upsampled and kept for that match. {@link #labelMaps} gives every frame's labels
     * once the clips cover the video.
     */
    public final class Video {
        private final int frames, height, width;
        private final List<Integer> starts = new ArrayList<>();
        private final List<float[][][]> byTrack = new ArrayList<>();   // each clip's low-resolution masks, queries in track order
        private double[][][] probSums;   // per vocabulary and track: the clips' class probabilities times their weights
        private double[] weightSums;     // per track: the clips' weights
        private int[] previousTracks;
        private double[][] previousEmbeddings;
        private int previousStart, previousEnd;
        private float[][][] shared = new float[0][][];   // the previous clip's full-resolution masks [frame][Q][H*W] of frames previousEnd - shared.length ..
        private int maskHeight, maskWidth;
        private int[][] yTaps, xTaps;   // the bilinear upsampling's source rows / columns and weights per output row / column
        private double[][] yWeights, xWeights;
        private int held, peakHeld;

        private Video(int frames, int height, int width) {
            this.frames = frames;
            this.height = height;
            this.width = width;
        }

        /** Folds in the next clip, which must start after the previous one and no later than its end. */
        public void add(Clip clip) {
            int q = clip.queries();
            if (starts.isEmpty()) {
                resolution(clip);
                probSums = new double[clip.probs().length][q][];
                weightSums = new double[q];
                for (int v = 0; v < probSums.length; v++) {
                    for (int j = 0; j < q; j++) {
                        probSums[v][j] = new double[clip.probs()[v][j].length];
                    }
                }
            } else if (clip.start() <= previousStart || clip.start() > previousEnd || clip.maskHeight() != maskHeight || clip.maskWidth() != maskWidth
                    || clip.queries() != previousTracks.length || clip.probs().length != probSums.length) {
                throw new IllegalArgumentException("clip at frame " + clip.start() + " does not follow the clip at frame " + previousStart);
            }
            if (clip.start() + clip.frames() > frames) {
                throw new IllegalArgumentException("clip at frame " + clip.start() + " runs past the video's " + frames + " frames");
            }
            int[] tracks = new int[q];
            if (starts.isEmpty()) {
                for (int j = 0; j < q; j++) {
                    tracks[j] = j;
                }
            } else {
                int[] m = match(clip);
                for (int j = 0; j < q; j++) {
                    tracks[j] = previousTracks[m[j]];
                }
            }
            for (int j = 0; j < q; j++) {
                double w = vote.weight(clip.masks()[j]);
                weightSums[tracks[j]] += w;
                for (int v = 0; v < probSums.length; v++) {
                    double[] sum = probSums[v][tracks[j]], p = clip.probs()[v][j];
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] += w * p[i];
                    }
                }
            }
            float[][][] ordered = new float[q][][];
            for (int j = 0; j < q; j++) {
                ordered[tracks[j]] = clip.masks()[j];
            }
            starts.add(clip.start());
            byTrack.add(ordered);
            previousTracks = tracks;
            previousEmbeddings = clip.embeddings();
            previousStart = clip.start();
            previousEnd = clip.start() + clip.frames();
            keepShared(clip);
        }

        private void resolution(Clip clip) {
            maskHeight = clip.maskHeight();
            maskWidth = clip.maskWidth();
            double[][] ry = Resize.matrix(maskHeight, height), rx = Resize.matrix(maskWidth, width);
            yTaps = taps(ry);
            yWeights = weights(ry, yTaps);
            xTaps = taps(rx);
            xWeights = weights(rx, xTaps);
        }

        /** Each row's non-zero columns of an interpolation matrix, in column order (two at most for bilinear). */
        private static int[][] taps(double[][] m) {
            int[][] out = new int[m.length][];
            for (int i = 0; i < m.length; i++) {
                int[] cols = new int[m[i].length];
                int n = 0;
                for (int j = 0; j < m[i].length; j++) {
                    if (m[i][j] != 0) {
                        cols[n++] = j;
                    }
                }
                out[i] = Arrays.copyOf(cols, n);
            }
            return out;
        }

        private static double[][] weights(double[][] m, int[][] taps) {
            double[][] out = new double[m.length][];
            for (int i = 0; i < m.length; i++) {
                out[i] = new double[taps[i].length];
                for (int n = 0; n < taps[i].length; n++) {
                    out[i][n] = m[i][taps[i][n]];
                }
            }
            return out;
        }

        /** Query {@code query}'s mask logits in frame {@code t} of a clip (not folded in), upsampled to the frame size as stitching reads them. */
        float[] upsampled(Clip clip, int query, int t) {
            if (yTaps == null) {
                resolution(clip);
            }
            return upsample(clip.masks()[query][t]);
        }

        /** For each query of {@code next}, the query of the previous clip it continues, each shared frame upsampled in turn. */
        private int[] match(Clip next) {
            int q = next.queries(), from = next.start(), to = previousEnd;
            double[][][] iu = new double[q][previousTracks.length][2];
            for (int f = from; f < to; f++) {
                float[][] prev = shared[f - (previousEnd - shared.length)];
                float[][] cur = upsample(next.masks(), f - next.start());
                for (int j = 0; j < q; j++) {
                    for (int i = 0; i < prev.length; i++) {
                        accumulate(prev[i], cur[j], iu[j][i]);
                    }
                }
                release(1);
            }
            double[][] cost = new double[q][previousTracks.length];
            for (int j = 0; j < q; j++) {
                for (int i = 0; i < previousTracks.length; i++) {
                    cost[j][i] = -(maskWeight * iou(iu[j][i]) + embeddingWeight * cosine(previousEmbeddings[i], next.embeddings()[j]));
                }
            }
            return LinearAssignment.solve(cost);
        }

        /** Replaces the kept full-resolution frames by the ones of {@code clip} the next clip (starting at least one frame later) can share. */
        private void keepShared(Clip clip) {
            release(shared.length);
            // a clip that reaches the video's end has no successor
            int keep = clip.start() + clip.frames() >= frames ? 0 : clip.frames() - 1;
            shared = new float[keep][][];
            for (int i = 0; i < shared.length; i++) {
                shared[i] = upsample(clip.masks(), clip.frames() - shared.length + i);
            }
        }

        /** Frame {@code t}'s masks [Q][H*W] of low-resolution masks [Q][T][h*w], bilinearly upsampled (rounded to float, as a float network would give them). */
        private float[][] upsample(float[][][] masks, int t) {
            held++;
            peakHeld = Math.max(peakHeld, held);
            float[][] out = new float[masks.length][];
            for (int j = 0; j < masks.length; j++) {
                out[j] = upsample(masks[j][t]);
            }
            return out;
        }

        private float[] upsample(float[] low) {
            double[] rows = new double[maskHeight * width];
            for (int y = 0; y < maskHeight; y++) {
                for (int x = 0; x < width; x++) {
                    double sum = 0;
                    for (int n = 0; n < xTaps[x].length; n++) {
                        sum += xWeights[x][n] * low[y * maskWidth + xTaps[x][n]];
                    }
                    rows[y * width + x] = sum;
                }
            }
            float[] out = new float[height * width];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double sum = 0;
                    for (int n = 0; n < yTaps[y].length; n++) {
                        sum += yWeights[y][n] * rows[yTaps[y][n] * width + x];
                    }
                    out[y * width + x] = (float) sum;
                }
            }
            return out;
        }

        private void release(int n) {
            held -= n;
        }

        /** For each query of the last clip added, its track (the first clip's query q is track q). */
        public int[] tracks() {
            return previousTracks.clone();
        }

        /** The most full-resolution frames of Q masks held at once so far (the clip being matched counted one frame at a time). */
        public int peakFullResolutionFrames() {
            return peakHeld;
        }

        /** Label maps [V][frame][pixel] (row-major class indices into vocabulary v) of every frame; the clips added must cover the video. */
        public int[][][] labelMaps() {
            if (starts.isEmpty() || previousEnd < frames) {
                throw new IllegalArgumentException("the clips added cover frames up to " + (starts.isEmpty() ? 0 : previousEnd) + " of " + frames);
            }
            release(shared.length);
            shared = new float[0][][];
            int q = previousTracks.length, pixels = height * width, clips = starts.size();
            double[][][] probs = new double[probSums.length][q][];
            for (int v = 0; v < probs.length; v++) {
                for (int t = 0; t < q; t++) {
                    probs[v][t] = new double[probSums[v][t].length];
                    for (int i = 0; i < probs[v][t].length; i++) {
                        // every clip continues every track (one-to-one matching); a track of no weight has no class
                        probs[v][t][i] = weightSums[t] == 0 ? 0 : probSums[v][t][i] / weightSums[t];
                    }
                }
            }
            int[][][] out = new int[probs.length][frames][];
            double[][] mask = new double[q][pixels];
            for (int f = 0; f < frames; f++) {
                for (double[] m : mask) {
                    Arrays.fill(m, 0);
                }
                int holders = 0;
                for (int c = 0; c < clips; c++) {
                    int start = starts.get(c);
                    float[][][] clip = byTrack.get(c);
                    if (f < start || f >= start + clip[0].length) {
                        continue;
                    }
                    holders++;
                    float[][] up = upsample(clip, f - start);
                    for (int t = 0; t < q; t++) {
                        for (int p = 0; p < pixels; p++) {
                            mask[t][p] += sigmoid(up[t][p]);
                        }
                    }
                    release(1);
                }
                for (int v = 0; v < probs.length; v++) {
                    int k = probs[v][0].length;
                    int[] labels = new int[pixels];
                    double[] score = new double[k];
                    for (int p = 0; p < pixels; p++) {
                        Arrays.fill(score, 0);
                        for (int t = 0; t < q; t++) {
                            double m = mask[t][p] / holders;
                            for (int i = 0; i < k; i++) {
                                score[i] += probs[v][t][i] * m;
                            }
                        }
                        int best = 0;
                        for (int i = 1; i < k; i++) {
                            if (score[i] > score[best]) {
                                best = i;
                            }
                        }
                        labels[p] = best;
                    }
                    out[v][f] = labels;
                }
            }
            return out;
        }
    }
}
