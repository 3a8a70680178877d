package org.gkc4j.nn;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/**
 * 2-D convolution on NCHW maps with a PyTorch-layout weight [out, in/groups, kH, kW] in checkpoints. The graph holds
 * it in SameDiff's YXIO layout ({@link Layout#CONV_YXIO}, converted on import and export) so no pass re-lays it out;
 * M2.1's own OIYX mode has a failing backward pass. Groups are split, convolved and concatenated (M2.1 has no grouped conv).
 */
public final class Conv2d {
    private final Scope scope;
    private final SDVariable weight;
    private final SDVariable bias;
    private final long in, out;
    private final int kernel, stride, padding, dilation, groups;

    public Conv2d(Scope scope, long in, long out, int kernel, int stride, int padding, boolean bias) {
        this(scope, in, out, kernel, stride, padding, 1, 1, bias, Init.torchDefault(), Init.torchBias(in * kernel * kernel));
    }

    public Conv2d(Scope scope, long in, long out, int kernel, int stride, int padding, int dilation, int groups,
                  boolean bias, Init weightInit, Init biasInit) {
        if (in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("Conv2d " + scope.prefix() + ": channels " + in + "->" + out + " not divisible by groups " + groups);
        }
        this.scope = scope;
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        this.weight = scope.param("weight", weightInit, Layout.CONV_YXIO, out, in / groups, kernel, kernel);
        this.bias = bias ? scope.param("bias", biasInit, out) : null;
    }

    public SDVariable forward(SDVariable x) {
        return convolve(x, weight, bias);
    }

    /**
     * The convolution followed by a per-output-channel affine map (an inference-mode BatchNorm folded in):
     * conv(x, W * scale) + (b * scale + shift), one op on the activations instead of three. With every input
     * constant the folded weight is computed once here; otherwise inside the graph (on the weights, not the
     * activations).
     */
    public SDVariable forwardScaled(SDVariable x, SDVariable scale, SDVariable shift) {
        boolean constant = weight.isConstant() && scale.isConstant() && shift.isConstant() && (bias == null || bias.isConstant());
        SDVariable w, b;
        if (constant) {
            INDArray sc = scale.getArr(), sh = shift.getArr();
            long[] ws = weight.getArr().shape();
            w = scope.sd().constant(weight.getArr().reshape(-1, out).mulRowVector(sc.reshape(1, out)).reshape(ws));
            INDArray bf = bias == null ? sh.dup() : bias.getArr().mul(sc).addi(sh);
            b = scope.sd().constant(bf);
        } else {
            w = weight.mul(scale.reshape(1, 1, 1, out));
            b = bias == null ? shift : bias.mul(scale).add(shift);
        }
        return convolve(x, w, b);
    }

    private SDVariable convolve(SDVariable x, SDVariable weightYxio, SDVariable biasVar) {
        long[] s = scope.shape(x);
        if (s[1] != in) {
            throw new IllegalArgumentException(scope.prefix() + ": expected " + in + " input channels, got " + s[1]);
        }
        Conv2DConfig cfg = Conv2DConfig.builder().kH(kernel).kW(kernel).sH(stride).sW(stride).pH(padding).pW(padding)
                .dH(dilation).dW(dilation).paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).build();
        SDVariable yxio = weightYxio;
        SDVariable y;
        if (groups == 1) {
            y = biasVar == null ? scope.sd().cnn().conv2d(x, yxio, cfg) : scope.sd().cnn().conv2d(x, yxio, biasVar, cfg);
        } else {
            long gi = in / groups, go = out / groups;
            SDVariable[] parts = new SDVariable[groups];
            for (int g = 0; g < groups; g++) {
                SDVariable xg = x.get(SDIndex.all(), SDIndex.interval(g * gi, (g + 1) * gi), SDIndex.all(), SDIndex.all());
                SDVariable wg = yxio.get(SDIndex.all(), SDIndex.all(), SDIndex.all(), SDIndex.interval(g * go, (g + 1) * go));
                parts[g] = biasVar == null ? scope.sd().cnn().conv2d(xg, wg, cfg)
                        : scope.sd().cnn().conv2d(xg, wg, biasVar.get(SDIndex.interval(g * go, (g + 1) * go)), cfg);
            }
            y = scope.sd().concat(1, parts);
        }
        long eff = (long) dilation * (kernel - 1) + 1;
        long oh = (s[2] + 2L * padding - eff) / stride + 1;
        long ow = (s[3] + 2L * padding - eff) / stride + 1;
        return scope.withShape(y, s[0], out, oh, ow);
    }
}
