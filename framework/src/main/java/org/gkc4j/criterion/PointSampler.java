package org.gkc4j.criterion;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.SplittableRandom;

/**
 * Point sampling outside the graph, with grid_sample's conventions (normalised (x, y) in [0,1], align_corners=False,
 * zero padding): the shared uniform points of the matcher and PointRend's uncertainty-biased points for the loss.
 */
public final class PointSampler {
    private PointSampler() {
    }

    /** Bilinear value of map [H,W] (row-major data) at normalised (x, y). */
    public static double sample(float[] map, int h, int w, double x, double y) {
        double px = x * w - 0.5, py = y * h - 0.5;
        int x0 = (int) Math.floor(px), y0 = (int) Math.floor(py);
        double lx = px - x0, ly = py - y0, v = 0;
        for (int dy = 0; dy <= 1; dy++) {
            int yy = y0 + dy;
            if (yy < 0 || yy >= h) continue;
            for (int dx = 0; dx <= 1; dx++) {
                int xx = x0 + dx;
                if (xx < 0 || xx >= w) continue;
                v += (dx == 1 ? lx : 1 - lx) * (dy == 1 ? ly : 1 - ly) * map[yy * w + xx];
            }
        }
        return v;
    }

    /**
     * Values of each map [N,H,W] at the points: [N][P]. The corners and weights of every point are worked out once and
     * shared by all maps (the matcher samples 100 masks per prediction set at the same points); the sums are the
     * single-map {@link #sample}'s, term for term.
     */
    public static double[][] sample(INDArray maps, double[] xs, double[] ys) {
        int n = (int) maps.size(0), h = (int) maps.size(1), w = (int) maps.size(2), p = xs.length;
        float[] all = maps.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
        double[] px = new double[p], py = new double[p];
        for (int k = 0; k < p; k++) {
            px[k] = xs[k] * w - 0.5;
            py[k] = ys[k] * h - 0.5;
        }
        double[][] weights = new double[4][];
        int[][] corners = org.gkc4j.nn.GridSample.planRows(px, py, new double[p], h, w, weights);
        double[][] out = new double[n][p];
        for (int i = 0; i < n; i++) {
            int base = i * h * w;
            double[] row = out[i];
            for (int k = 0; k < p; k++) {
                double v = 0;
                for (int c = 0; c < 4; c++) {
                    v += weights[c][k] * all[base + corners[c][k]];
                }
                row[k] = v;
            }
        }
        return out;
    }

    /** {@code count} uniform points: [0] = xs, [1] = ys. */
    public static double[][] uniform(int count, SplittableRandom rng) {
        double[] xs = new double[count], ys = new double[count];
        for (int i = 0; i < count; i++) {
            xs[i] = rng.nextDouble();
            ys[i] = rng.nextDouble();
        }
        return new double[][]{xs, ys};
    }

    /**
     * PointRend's sampling for one mask of logits [h,w]: draw oversample x count uniform points, keep the
     * importance x count whose logits are closest to 0, add uniform points to reach count.
     */
    public static double[][] uncertain(float[] logits, int h, int w, int count, double oversample, double importance, SplittableRandom rng) {
        return uncertain(logits, h, w, count, oversample, importance, rng::nextDouble);
    }

    /** {@link #uncertain(float[], int, int, int, double, double, SplittableRandom)} on given uniform draws, in the order it makes them. */
    static double[][] uncertain(float[] logits, int h, int w, int count, double oversample, double importance, java.util.function.DoubleSupplier draws) {
        int drawn = (int) (count * oversample);
        double[][] cand = new double[2][drawn];
        for (int i = 0; i < drawn; i++) {
            cand[0][i] = draws.getAsDouble();
            cand[1][i] = draws.getAsDouble();
        }
        int important = Math.min((int) (count * importance), drawn);
        double[] unc = new double[drawn];
        for (int i = 0; i < drawn; i++) {
            unc[i] = -Math.abs(sample(logits, h, w, cand[0][i], cand[1][i]));
        }
        double[] xs = new double[count], ys = new double[count];
        if (important > 0) {
            double[] sorted = unc.clone();
            java.util.Arrays.sort(sorted);
            double threshold = sorted[drawn - important];      // the important-th largest uncertainty
            int taken = 0;
            for (int i = 0; i < drawn && taken < important; i++) {   // strictly above the threshold first
                if (unc[i] > threshold) {
                    xs[taken] = cand[0][i];
                    ys[taken++] = cand[1][i];
                }
            }
            for (int i = 0; i < drawn && taken < important; i++) {   // then ties at the threshold
                if (unc[i] == threshold) {
                    xs[taken] = cand[0][i];
                    ys[taken++] = cand[1][i];
                }
            }
        }
        for (int i = important; i < count; i++) {
            xs[i] = draws.getAsDouble();
            ys[i] = draws.getAsDouble();
        }
        return new double[][]{xs, ys};
    }
}
