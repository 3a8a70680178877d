package org.gkc4j.nn;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Arrays;

/** y = x W^T + b over the last dimension of x (any rank); weight [out, in] as PyTorch stores it. */
public final class Linear {
    private final Scope scope;
    private final SDVariable weight;
    private final SDVariable bias;
    public final long in;
    public final long out;

    public Linear(Scope scope, long in, long out, boolean bias) {
        this(scope, in, out, bias, Init.torchDefault(), Init.torchBias(in));
    }

    public Linear(Scope scope, long in, long out, boolean bias, Init weightInit, Init biasInit) {
        this.scope = scope;
        this.in = in;
        this.out = out;
        this.weight = scope.param("weight", weightInit, out, in);
        this.bias = bias ? scope.param("bias", biasInit, out) : null;
    }

    public SDVariable forward(SDVariable x) {
        long[] s = scope.shape(x);
        if (s[s.length - 1] != in) {
            throw new IllegalArgumentException(scope.prefix() + ": expected last dimension " + in + ", got " + Arrays.toString(s));
        }
        SDVariable flat = s.length == 2 ? x : x.reshape(-1, in);
        SDVariable y = scope.sd().mmul(flat, weight, false, true, false);
        if (bias != null) {
            y = y.add(bias);
        }
        long[] os = s.clone();
        os[os.length - 1] = out;
        if (s.length != 2) {
            y = y.reshape(os);
        }
        return scope.withShape(y, os);
    }

    public SDVariable weight() {
        return weight;
    }

    public SDVariable bias() {
        return bias;
    }
}
