package org.gkc4j.criterion;

import org.gkc4j.nn.loss.Losses;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * Cross-entropy of the plain-name logits: matched queries target their segment's class, the others the void
 * column (weight {@code voidWeight}); each matched target is ignored with probability {@code regionDropout}
 * (GKC's region dropout). Weighted mean as PyTorch's cross_entropy(weight=...).
 */
public final class ClassLoss implements LossTerm {
    private final CriterionConfig cfg;
    private final RegionDropout dropout;

    /** Whether a matched segment's target is ignored this step: a draw of the step's RNG, or given (tests). */
    interface RegionDropout {
        boolean dropped(SetFeed f, int image, int segment, int query);
    }

    static RegionDropout draws(CriterionConfig cfg) {
        return (f, b, j, q) -> f.rng(b).nextDouble() < cfg.regionDropout();
    }

    public ClassLoss(CriterionConfig cfg) {
        this(cfg, draws(cfg));
    }

    ClassLoss(CriterionConfig cfg, RegionDropout dropout) {
        this.cfg = cfg;
        this.dropout = dropout;
    }

    @Override
    public String name() {
        return "ce";
    }

    @Override
    public double weight() {
        return cfg.classWeight();
    }

    @Override
    public SDVariable build(SetGraph set) {
        SameDiff sd = set.scope().sd();
        Dims d = set.dims();
        long rows = (long) d.batch() * d.queries();
        SDVariable onehot = sd.placeHolder(set.name("ce_onehot"), set.scope().dtype(), rows, d.classes() + 1);
        SDVariable weights = sd.placeHolder(set.name("ce_w"), set.scope().dtype(), rows);
        return Losses.weightedCrossEntropy(sd, set.plainLogits().reshape(rows, d.classes() + 1), onehot, weights);
    }

    @Override
    public void feed(SetFeed f, Map<String, INDArray> ph) {
        INDArray[] t = targets(f, f.dims().classes(), b -> f.batch().targets().get(b).labels(), cfg.voidWeight(), dropout);
        ph.put(f.name("ce_onehot"), t[0]);
        ph.put(f.name("ce_w"), t[1]);
    }

    @Override
    public java.util.OptionalDouble count(SetFeed f, Map<String, INDArray> ph) {
        return java.util.OptionalDouble.of(ph.get(f.name("ce_w")).sumNumber().doubleValue());
    }

    @Override
    public double divisor(double count) {
        return Math.max(count, 1e-12);   // Losses.weightedCrossEntropy's guard
    }

    /**
     * One-hot targets [B*Q, classes+1] and row weights [B*Q] of a matching: unmatched queries target void
     * ({@code classes}) with the void weight; a matched query targets its segment's class, or is ignored (weight 0)
     * as {@code dropout} decides.
     */
    static INDArray[] targets(SetFeed f, int classes, java.util.function.IntFunction<int[]> segmentClasses, double voidWeight, RegionDropout dropout) {
        Dims d = f.dims();
        int q = d.queries();
        double[][] onehot = new double[d.batch() * q][classes + 1];
        double[] w = new double[d.batch() * q];
        for (int b = 0; b < d.batch(); b++) {
            for (int i = 0; i < q; i++) {
                onehot[b * q + i][classes] = 1;
                w[b * q + i] = voidWeight;
            }
            int[] match = f.matches()[b];
            int[] cls = segmentClasses.apply(b);
            for (int j = 0; j < match.length; j++) {
                if (match[j] < 0) {
                    continue;
                }
                int r = b * q + match[j];
                onehot[r][classes] = 0;
                onehot[r][cls[j]] = 1;
                w[r] = dropout.dropped(f, b, j, match[j]) ? 0 : 1;
            }
        }
        return new INDArray[]{Nd4j.createFromArray(onehot), Nd4j.createFromArray(w)};
    }
}
