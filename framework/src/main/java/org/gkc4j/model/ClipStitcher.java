package org.gkc4j.model;

import org.gkc4j.criterion.LinearAssignment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Long videos clip by clip: overlapping clips are run separately and their queries joined into tracks, so a segment
 * keeps one label through the video. A clip's queries are matched one to one (exactly, {@link LinearAssignment}) to
 * the previous clip's by maximal {@code maskWeight} x soft IoU of their masks over the frames both clips hold plus
 * {@code embeddingWeight} x cosine of their query embeddings. A track's class probabilities are the mean over the
 * clips it was seen in; a frame's semantic scores are, as for images, the sum over tracks of class probabilities
 * times the sigmoid of the track's mask (averaged over the clips that hold the frame).
 */
public final class ClipStitcher {
    /**
     * One clip's final prediction: its first frame in the video, mask logits [Q][T][H*W] (the frame's size),
     * class probabilities [Q][K] (softmax over the names and void, void dropped) and query embeddings [Q][E].
     */
    public record Clip(int start, float[][][] masks, double[][] probs, double[][] embeddings) {
        public int frames() {
            return masks[0].length;
        }

        public int queries() {
            return masks.length;
        }
    }

    private final double maskWeight, embeddingWeight;

    public ClipStitcher(double maskWeight, double embeddingWeight) {
        this.maskWeight = maskWeight;
        this.embeddingWeight = embeddingWeight;
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

    /** For each query of {@code next}, the query of {@code prev} it continues. */
    public int[] match(Clip prev, Clip next) {
        int q = next.queries();
        double[][] cost = new double[q][prev.queries()];
        int from = Math.max(prev.start(), next.start()), to = Math.min(prev.start() + prev.frames(), next.start() + next.frames());
        for (int j = 0; j < q; j++) {
            for (int i = 0; i < prev.queries(); i++) {
                double iou = 0;
                if (to > from) {
                    float[][] a = new float[to - from][], b = new float[to - from][];
                    for (int f = from; f < to; f++) {
                        a[f - from] = prev.masks()[i][f - prev.start()];
                        b[f - from] = next.masks()[j][f - next.start()];
                    }
                    iou = softIoU(a, b);
                }
                cost[j][i] = -(maskWeight * iou + embeddingWeight * cosine(prev.embeddings()[i], next.embeddings()[j]));
            }
        }
        return LinearAssignment.solve(cost);
    }

    /** Sum of sigmoid products over sum of sigmoid unions (probabilistic sums), over all frames given. */
    static double softIoU(float[][] a, float[][] b) {
        double inter = 0, union = 0;
        for (int f = 0; f < a.length; f++) {
            for (int p = 0; p < a[f].length; p++) {
                double x = sigmoid(a[f][p]), y = sigmoid(b[f][p]);
                inter += x * y;
                union += x + y - x * y;
            }
        }
        return union == 0 ? 0 : inter / union;
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

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** Tracks of every clip's queries: {@code tracks[c][q]} (clip 0's query q is track q). */
    public int[][] tracks(List<Clip> clips) {
        int[][] out = new int[clips.size()][];
        out[0] = new int[clips.get(0).queries()];
        for (int q = 0; q < out[0].length; q++) {
            out[0][q] = q;
        }
        for (int c = 1; c < clips.size(); c++) {
            int[] m = match(clips.get(c - 1), clips.get(c));
            out[c] = new int[m.length];
            for (int q = 0; q < m.length; q++) {
                out[c][q] = out[c - 1][m[q]];
            }
        }
        return out;
    }

    /** Label maps (class per pixel, row-major) of frames 0 .. {@code frames}-1, which the clips must cover. */
    public int[][] labelMaps(List<Clip> clips, int frames) {
        int[][] tracks = tracks(clips);
        int q = clips.get(0).queries(), k = clips.get(0).probs()[0].length, pixels = clips.get(0).masks()[0][0].length;
        double[][] probs = new double[q][k];
        int[] seen = new int[q];
        for (int c = 0; c < clips.size(); c++) {
            for (int j = 0; j < q; j++) {
                int t = tracks[c][j];
                seen[t]++;
                for (int i = 0; i < k; i++) {
                    probs[t][i] += clips.get(c).probs()[j][i];
                }
            }
        }
        for (int t = 0; t < q; t++) {
            for (int i = 0; i < k; i++) {
                probs[t][i] /= Math.max(1, seen[t]);
            }
        }
        int[][] out = new int[frames][];
        for (int f = 0; f < frames; f++) {
            double[][] mask = new double[q][pixels];
            int holders = 0;
            for (int c = 0; c < clips.size(); c++) {
                Clip clip = clips.get(c);
                if (f < clip.start() || f >= clip.start() + clip.frames()) {
                    continue;
                }
                holders++;
                for (int j = 0; j < q; j++) {
                    float[] m = clip.masks()[j][f - clip.start()];
                    double[] acc = mask[tracks[c][j]];
                    for (int p = 0; p < pixels; p++) {
                        acc[p] += sigmoid(m[p]);
                    }
                }
            }
            if (holders == 0) {
                throw new IllegalArgumentException("no clip holds frame " + f);
            }
            int[] labels = new int[pixels];
            double[] score = new double[k];
            for (int p = 0; p < pixels; p++) {
                Arrays.fill(score, 0);
                for (int t = 0; t < q; t++) {
                    double m = mask[t][p] / holders;
                    for (int i = 0; i < k; i++) {
                        score[i] += probs[t][i] * m;
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
            out[f] = labels;
        }
        return out;
    }
}
