package org.gkc4j.testing;

import org.gkc4j.nn.exec.GraphExecution;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.fix.OpFixes;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/** Small helpers that keep block tests short. */
public final class Graphs {
    private Graphs() {
    }

    public static GraphContext doubleContext(long seed) {
        OpFixes.install();
        return GraphContext.builder().dtype(DataType.DOUBLE).seed(seed).build();
    }

    public static GraphContext doubleContext(long seed, boolean training) {
        OpFixes.install();
        return GraphContext.builder().dtype(DataType.DOUBLE).seed(seed).training(training).build();
    }

    public static INDArray randn(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, shape);
    }

    public static INDArray uniform(long seed, double lo, double hi, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, shape).muli(hi - lo).addi(lo);
    }

    /** Adds loss = sum(out * W) with a fixed random W, named "loss". */
    public static SDVariable weightedLoss(GraphContext ctx, SDVariable out, long seed) {
        long[] shape = ctx.shape(out);
        SDVariable w = ctx.sd().constant(uniform(seed, -1, 1, shape));
        SDVariable loss = out.mul(w).sum();
        return loss.rename("loss");
    }

    public static INDArray eval(GraphContext ctx, SDVariable out, Map<String, INDArray> ph) {
        return GraphExecution.output(ctx.sd(), ph, out.name()).get(out.name());
    }

    public static double maxAbsDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    /** max|a-b| / max|b|, the parity measure the fixtures quote. */
    public static double relDiff(INDArray a, INDArray b) {
        double den = b.castTo(DataType.DOUBLE).amaxNumber().doubleValue();
        return maxAbsDiff(a, b) / Math.max(den, 1e-30);
    }

    /**
     * Worst relative error over groups of the trailing {@code groupDims} dimensions (one mask, one row of logits):
     * max over groups of max|a-b| / max|b| within the group, so a small group cannot hide behind a large one.
     */
    public static double worstGroupRelDiff(INDArray got, INDArray want, int groupDims) {
        long[] shape = want.shape();
        long groupSize = 1;
        for (int i = shape.length - groupDims; i < shape.length; i++) {
            groupSize *= shape[i];
        }
        double[] a = got.castTo(DataType.DOUBLE).dup().data().asDouble();
        double[] b = want.castTo(DataType.DOUBLE).dup().data().asDouble();
        double worst = 0;
        for (int g = 0; g < a.length / groupSize; g++) {
            double diff = 0, scale = 0;
            for (long i = g * groupSize; i < (g + 1) * groupSize; i++) {
                diff = Math.max(diff, Math.abs(a[(int) i] - b[(int) i]));
                scale = Math.max(scale, Math.abs(b[(int) i]));
            }
            worst = Math.max(worst, diff / Math.max(scale, 1e-30));
        }
        return worst;
    }
}
