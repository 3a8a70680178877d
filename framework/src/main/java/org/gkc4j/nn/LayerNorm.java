package org.gkc4j.nn;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * LayerNorm over the last dimension with PyTorch's epsilon placement: (x - mean) / sqrt(var + eps) * w + b, biased
 * variance. Hand-built because M2.1's layerNorm uses a different epsilon (differences of 1e-4).
 */
public final class LayerNorm {
    private final Scope scope;
    private final SDVariable weight;
    private final SDVariable bias;
    private final double eps;

    public LayerNorm(Scope scope, long dim) {
        this(scope, dim, 1e-5);
    }

    public LayerNorm(Scope scope, long dim, double eps) {
        this.scope = scope;
        this.eps = eps;
        this.weight = scope.param("weight", Init.ones(), dim);
        this.bias = scope.param("bias", Init.zeros(), dim);
        scope.noWeightDecay(weight, bias);
    }

    public SDVariable forward(SDVariable x) {
        long[] s = scope.shape(x);
        int last = s.length - 1;
        SDVariable mean = x.mean(true, last);
        SDVariable centred = x.sub(mean);
        SDVariable var = centred.mul(centred).mean(true, last);
        SDVariable y = centred.mul(scope.sd().math().rsqrt(var.add(eps))).mul(weight).add(bias);
        return scope.withShape(y, s);
    }
}
