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
}
