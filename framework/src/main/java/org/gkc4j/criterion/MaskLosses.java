package org.gkc4j.criterion;

import org.gkc4j.data.ImageTargets;
import org.gkc4j.nn.GridSample;
import org.gkc4j.nn.loss.Losses;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * Point-sampled mask losses of matched predictions: PointRend importance sampling on each matched mask, then mean
 * BCE-with-logits and dice against the ground truth at the same points, each summed over masks and divided by the
 * number of masks. The prediction is sampled inside the graph (differentiable), the ground truth outside.
 * <p>
 * The row count is dynamic: each step feeds one row per matched mask (at least one, weighted 0 when there is none),
 * not the configured maximum, so the cost and the memory of these terms follow the real number of targets (the r50
 * network at 512 with 100 padded rows spent several GB on padding).
 */
public final class MaskLosses {
    private MaskLosses() {
    }

    /** The loss points of one matched mask (normalised x row, y row): PointRend's sampling on the step's RNG, or given ones (tests). */
    interface PointChoice {
        double[][] points(LossTerm.SetFeed f, int image, int segment, float[] logits, int h, int w);
    }

    static PointChoice pointRend(CriterionConfig cfg) {
        return (f, b, j, logits, h, w) -> PointSampler.uncertain(logits, h, w, f.dims().points(), cfg.oversample(), cfg.importance(), f.rng(b));
    }

    /** Samples every matched prediction at its points: [matched, P], sharing placeholders between BCE and dice. */
    static SDVariable sampledPredictions(LossTerm.SetGraph set) {
        SameDiff sd = set.scope().sd();
        String key = set.name("mask_points_sampled");
        if (sd.hasVariable(key)) {
            return sd.getVariable(key);
        }
        LossTerm.Dims d = set.dims();
        SDVariable[] idx = new SDVariable[4], wts = new SDVariable[4];
        for (int c = 0; c < 4; c++) {
            idx[c] = sd.placeHolder(set.name("pt_row" + c), org.nd4j.linalg.api.buffer.DataType.INT, -1);
            wts[c] = sd.placeHolder(set.name("pt_w" + c), set.scope().dtype(), -1);
        }
        SDVariable rows = set.masks().reshape((long) d.batch() * d.queries() * d.maskH() * d.maskW(), 1);
        SDVariable sampled = GridSample.sampleWithPlan(sd, rows, idx, wts, true).reshape(-1, d.points());
        return sampled.rename(key);
    }

    static SDVariable targets(LossTerm.SetGraph set) {
        SameDiff sd = set.scope().sd();
        String key = set.name("pt_target");
        return LossTerm.sharedPlaceholder(sd, key, set.scope().dtype(), -1, set.dims().points());
    }

    /** Per-row weight: 1 / numMasks for real rows, 0 for padding. */
    static SDVariable rowWeights(LossTerm.SetGraph set) {
        SameDiff sd = set.scope().sd();
        String key = set.name("mask_w");
        return LossTerm.sharedPlaceholder(sd, key, set.scope().dtype(), -1);
    }

    /** Fills the shared placeholders once per set (both terms call it; the second call finds them filled). */
    static void feedPoints(LossTerm.SetFeed f, PointChoice choice, Map<String, INDArray> ph) {
        if (ph.containsKey(f.name("mask_w"))) {
            return;
        }
        LossTerm.Dims d = f.dims();
        int m = Math.max(1, matchedRows(f)), p = d.points();
        int h = (int) d.maskH(), w = (int) d.maskW();
        double[] xs = new double[m * p], ys = new double[m * p], base = new double[m * p], rowW = new double[m];
        double[][] target = new double[m][p];
        double norm = 1.0 / Math.max(1, f.totalTargets());
        int row = 0;
        for (int b = 0; b < f.batch().size(); b++) {
            ImageTargets t = f.batch().targets().get(b);
            int[] match = f.matches()[b];
            for (int j = 0; j < match.length; j++) {   // the matching is already cut to the per-image maximum
                int q = match[j];
                if (q < 0) {
                    continue;
                }
                float[] logits = f.masks().get(org.nd4j.linalg.indexing.NDArrayIndex.point(b), org.nd4j.linalg.indexing.NDArrayIndex.point(q)).dup('c').data().asFloat();
                double[][] pts = choice.points(f, b, j, logits, h, w);
                INDArray gt = t.masks().get(org.nd4j.linalg.indexing.NDArrayIndex.point(j));
                double[][] gtAt = PointSampler.sample(gt.reshape(1, gt.size(0), gt.size(1)), pts[0], pts[1]);
                for (int i = 0; i < p; i++) {
                    xs[row * p + i] = pts[0][i] * w - 0.5;
                    ys[row * p + i] = pts[1][i] * h - 0.5;
                    base[row * p + i] = (double) (b * d.queries() + q) * h * w;
                }
                target[row] = gtAt[0];
                rowW[row] = norm;
                row++;
            }
        }
        double[][] weights = new double[4][];
        int[][] rows = GridSample.planRows(xs, ys, base, h, w, weights);
        for (int c = 0; c < 4; c++) {
            ph.put(f.name("pt_row" + c), Nd4j.createFromArray(rows[c]));
            ph.put(f.name("pt_w" + c), Nd4j.createFromArray(weights[c]));
        }
        ph.put(f.name("pt_target"), Nd4j.createFromArray(target));
        ph.put(f.name("mask_w"), Nd4j.createFromArray(rowW));
    }

    /** Rows this step feeds: one per matched mask (the matching is cut to the per-image maximum). */
    private static int matchedRows(LossTerm.SetFeed f) {
        int rows = 0;
        for (int b = 0; b < f.batch().size(); b++) {
            int[] match = f.matches()[b];
            for (int q : match) {
                if (q >= 0) {
                    rows++;
                }
            }
        }
        return rows;
    }

    /**
     * What the two point losses share: the points they read (one choice for both, fed once per set into the shared
     * placeholders) and their count, the number of masks they are divided by.
     */
    private abstract static class PointLoss implements LossTerm {
        final CriterionConfig cfg;
        private final PointChoice points;

        PointLoss(CriterionConfig cfg, PointChoice points) {
            this.cfg = cfg;
            this.points = points;
        }

        @Override
        public void feed(SetFeed feed, Map<String, INDArray> placeholders) {
            feedPoints(feed, points, placeholders);
        }

        @Override
        public java.util.OptionalDouble count(SetFeed f, Map<String, INDArray> ph) {
            return java.util.OptionalDouble.of(f.totalTargets());
        }
    }

    /** Mean point BCE of each matched mask, summed and divided by the number of masks. */
    public static final class Bce extends PointLoss {
        public Bce(CriterionConfig cfg) {
            this(cfg, pointRend(cfg));
        }

        Bce(CriterionConfig cfg, PointChoice points) {
            super(cfg, points);
        }

        @Override
        public String name() {
            return "mask";
        }

        @Override
        public double weight() {
            return cfg.maskWeight();
        }

        @Override
        public SDVariable build(SetGraph set) {
            SameDiff sd = set.scope().sd();
            SDVariable bce = Losses.bceWithLogits(sd, sampledPredictions(set), targets(set)).mean(1);
            return bce.mul(rowWeights(set)).sum();
        }
    }

    /** Dice loss of each matched mask at its points, summed and divided by the number of masks. */
    public static final class Dice extends PointLoss {
        public Dice(CriterionConfig cfg) {
            this(cfg, pointRend(cfg));
        }

        Dice(CriterionConfig cfg, PointChoice points) {
            super(cfg, points);
        }

        @Override
        public String name() {
            return "dice";
        }

        @Override
        public double weight() {
            return cfg.diceWeight();
        }

        @Override
        public SDVariable build(SetGraph set) {
            SameDiff sd = set.scope().sd();
            return Losses.dice(sd, sampledPredictions(set), targets(set)).mul(rowWeights(set)).sum();
        }
    }
}
