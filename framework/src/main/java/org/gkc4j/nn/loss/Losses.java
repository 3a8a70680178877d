package org.gkc4j.nn.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Loss building blocks, hand-built: M2.1's {@code sd.loss.*} backward ignores the upstream gradient once a loss is
 * scaled or summed (issue #9026), and logSoftmax breaks gradient creation. Every function here has a DOUBLE
 * gradient check.
 */
public final class Losses {
    private Losses() {
    }

    /** x - max(x) - log(sum(exp(x - max(x)))) along {@code dim} (the max's own gradient cancels out). */
    public static SDVariable logSoftmax(SameDiff sd, SDVariable x, int dim) {
        SDVariable shifted = x.sub(x.max(true, dim));
        return shifted.sub(sd.math().log(sd.math().exp(shifted).sum(true, dim)));
    }

    /** Element-wise binary cross-entropy with logits: max(x,0) - x y + log(1 + exp(-|x|)). */
    public static SDVariable bceWithLogits(SameDiff sd, SDVariable logits, SDVariable targets) {
        SDVariable relu = sd.nn().relu(logits, 0);
        return relu.sub(logits.mul(targets)).add(sd.math().log1p(sd.math().exp(sd.math().abs(logits).neg())));
    }

    /**
     * Per-row dice loss on [M, P] logits and targets: 1 - (2 sum sigma(x) y + 1) / (sum sigma(x) + sum y + 1), as
     * Mask2Former computes it. Returns [M].
     */
    public static SDVariable dice(SameDiff sd, SDVariable logits, SDVariable targets) {
        SDVariable p = sd.nn().sigmoid(logits);
        SDVariable num = p.mul(targets).sum(1).mul(2.0).add(1.0);
        SDVariable den = p.sum(1).add(targets.sum(1)).add(1.0);
        return num.mul(sd.math().reciprocal(den)).rsub(1.0);
    }

    /**
     * Weighted cross-entropy over rows of [N, K] logits with one-hot targets [N, K] and per-row weights [N]
     * (the target class's weight, 0 for an ignored row): sum_i w_i * -log p_i[y_i] / sum_i w_i, which is PyTorch's
     * {@code cross_entropy(weight=..., ignore_index=...)}. A batch with no weight gives 0.
     */
    public static SDVariable weightedCrossEntropy(SameDiff sd, SDVariable logits, SDVariable oneHot, SDVariable rowWeights) {
        SDVariable nll = logSoftmax(sd, logits, 1).mul(oneHot).sum(1).neg();
        SDVariable total = rowWeights.sum();
        SDVariable safe = sd.math().max(total, sd.constant(1e-12).castTo(total.dataType()));
        return nll.mul(rowWeights).sum().mul(sd.math().reciprocal(safe));
    }

    /** Rows divided by (their L2 norm + 1e-7), along the last dimension {@code dim}. */
    public static SDVariable l2Normalize(SameDiff sd, SDVariable x, int dim) {
        SDVariable norm = sd.math().sqrt(x.mul(x).sum(true, dim).add(1e-24));
        return x.mul(sd.math().reciprocal(norm.add(1e-7)));
    }

    /**
     * PyTorch's F.normalize: rows divided by max(their L2 norm, 1e-12) along {@code dim}, here x / sqrt(sum x^2 +
     * 1e-24), equal to it but for rows shorter than 1e-12 (and smooth there). Unlike {@link #l2Normalize} a row comes
     * out of unit length to rounding; GKC's distillation normalises its student and teacher vectors this way.
     */
    public static SDVariable unitRows(SameDiff sd, SDVariable x, int dim) {
        return x.mul(sd.math().rsqrt(x.mul(x).sum(true, dim).add(1e-24)));
    }

    /**
     * Cosine logits scaled by a learnable log-temperature: exp(logScale) * normalize(v) normalize(t)^T for v [N, D]
     * and t [K, D]; returns [N, K].
     */
    public static SDVariable cosineLogits(SameDiff sd, SDVariable v, SDVariable t, SDVariable logScale) {
        SDVariable vn = l2Normalize(sd, v, 1);
        SDVariable tn = l2Normalize(sd, t, 1);
        return vn.mmul(tn.permute(1, 0)).mul(sd.math().exp(logScale));
    }
}
