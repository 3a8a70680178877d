package org.gkc4j.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * BatchNorm over NCHW maps, hand-built because M2.1's batchNorm backward fails (issue #9029). Two modes:
 * <ul>
 * <li>inference: a fixed scale and shift from the running statistics (PyTorch's eval mode);</li>
 * <li>training: normalise by the batch's mean and biased variance; the graph also outputs the batch mean and the
 * unbiased variance, from which the trainer updates the running statistics with PyTorch's momentum rule.</li>
 * </ul>
 */
public final class BatchNorm2d {
    private final Scope scope;
    private final SDVariable weight, bias, runningMean, runningVar;
    private final long channels;
    private final double eps;
    private final double momentum;
    private final boolean batchStatistics;

    public BatchNorm2d(Scope scope, long channels, boolean batchStatistics) {
        this(scope, channels, 1e-5, 0.1, batchStatistics);
    }

    public BatchNorm2d(Scope scope, long channels, double eps, double momentum, boolean batchStatistics) {
        this.scope = scope;
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        this.batchStatistics = batchStatistics;
        this.weight = scope.param("weight", Init.ones(), channels);
        this.bias = scope.param("bias", Init.zeros(), channels);
        scope.noWeightDecay(weight, bias);
        this.runningMean = scope.buffer("running_mean", Init.zeros(), channels);
        this.runningVar = scope.buffer("running_var", Init.ones(), channels);
    }

    /** BatchNorm of a convolution's output; in inference mode folded into the convolution (one op fewer per map). */
    public SDVariable afterConv(Conv2d conv, SDVariable x) {
        if (batchStatistics) {
            return forward(conv.forward(x));
        }
        SDVariable[] ss = scaleShift();
        return conv.forwardScaled(x, ss[0], ss[1]);
    }

    /** Inference mode's per-channel scale w / sqrt(var + eps) and shift b - mean * scale; constants stay constant. */
    private SDVariable[] scaleShift() {
        if (weight.isConstant() && bias.isConstant()) {
            INDArray sc = weight.getArr().div(org.nd4j.linalg.ops.transforms.Transforms.sqrt(runningVar.getArr().add(eps), false));
            INDArray sh = bias.getArr().sub(runningMean.getArr().mul(sc));
            return new SDVariable[]{scope.sd().constant(sc), scope.sd().constant(sh)};
        }
        SDVariable scale = weight.mul(scope.sd().math().rsqrt(runningVar.add(eps)));
        return new SDVariable[]{scale, bias.sub(runningMean.mul(scale))};
    }

    public SDVariable forward(SDVariable x) {
        long[] s = scope.shape(x);
        SDVariable y;
        if (batchStatistics) {
            SDVariable mean = x.mean(true, 0, 2, 3);
            SDVariable centred = x.sub(mean);
            SDVariable var = centred.mul(centred).mean(true, 0, 2, 3);
            SDVariable scale = weight.reshape(1, channels, 1, 1).mul(scope.sd().math().rsqrt(var.add(eps)));
            y = centred.mul(scale).add(bias.reshape(1, channels, 1, 1));
            long count = s[0] * s[2] * s[3];
            String meanName = scope.op("batch_mean");
            String varName = scope.op("batch_var");
            mean.reshape(channels).rename(meanName);
            var.reshape(channels).mul(count / (double) Math.max(1, count - 1)).rename(varName);
            scope.context().addBatchNormUpdate(new GraphContext.BatchNormUpdate(runningMean.name(), runningVar.name(), meanName, varName, momentum, count));
        } else {
            SDVariable[] ss = scaleShift();
            y = x.mul(ss[0].reshape(1, channels, 1, 1)).add(ss[1].reshape(1, channels, 1, 1));
        }
        return scope.withShape(y, s);
    }
}
