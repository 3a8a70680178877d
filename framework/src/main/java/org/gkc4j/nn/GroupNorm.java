package org.gkc4j.nn;

import org.nd4j.autodiff.samediff.SDVariable;

/** GroupNorm on NCHW maps (no built-in in M2.1): statistics per sample and group of C/G channels. */
public final class GroupNorm {
    private final Scope scope;
    private final SDVariable weight;
    private final SDVariable bias;
    private final int groups;
    private final long channels;
    private final double eps;

    public GroupNorm(Scope scope, int groups, long channels) {
        this(scope, groups, channels, 1e-5);
    }

    public GroupNorm(Scope scope, int groups, long channels, double eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm: " + channels + " channels are not divisible into " + groups + " groups");
        }
        this.scope = scope;
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        this.weight = scope.param("weight", Init.ones(), channels);
        this.bias = scope.param("bias", Init.zeros(), channels);
        scope.noWeightDecay(weight, bias);
    }

    public SDVariable forward(SDVariable x) {
        long[] s = scope.shape(x);
        long n = s[0];
        SDVariable g = x.reshape(n, groups, -1);
        SDVariable mean = g.mean(true, 2);
        SDVariable centred = g.sub(mean);
        SDVariable var = centred.mul(centred).mean(true, 2);
        SDVariable normed = centred.mul(scope.sd().math().rsqrt(var.add(eps))).reshape(s);
        SDVariable y = normed.mul(weight.reshape(1, channels, 1, 1)).add(bias.reshape(1, channels, 1, 1));
        return scope.withShape(y, s);
    }
}
