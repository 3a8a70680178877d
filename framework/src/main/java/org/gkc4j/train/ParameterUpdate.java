package org.gkc4j.train;

import org.gkc4j.GkcException;
import org.gkc4j.nn.GraphContext;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The parameter side of one optimisation step, shared by every trainer: full-model gradient-norm clipping, AdamW
 * with per-parameter learning-rate multipliers and weight-decay exclusions, and BatchNorm running statistics.
 */
public final class ParameterUpdate {
    private ParameterUpdate() {
    }

    /**
     * Clips (if {@code clipNorm} > 0) and applies AdamW to every parameter with a gradient; returns the gradient norm
     * before clipping.
     */
    public static double apply(GraphContext ctx, List<String> params, Map<String, INDArray> grads, AdamW adam, double lr,
                               double weightDecay, double clipNorm, ToDoubleFunction<String> lrMultiplier, int step) {
        double sq = 0;
        for (INDArray g : grads.values()) {
            double n = g.norm2Number().doubleValue();
            sq += n * n;
        }
        double norm = Math.sqrt(sq);
        if (!Double.isFinite(norm)) {
            throw GkcException.of("training diverged at step %d: the gradient norm is %s", step, norm);
        }
        double clip = clipNorm > 0 && norm > clipNorm ? clipNorm / (norm + 1e-6) : 1.0;
        adam.nextStep();
        for (String p : params) {
            INDArray g = grads.get(p);
            if (g == null) {
                continue;
            }
            if (clip != 1.0) {
                g.muli(clip);
            }
            double wd = ctx.weightDecayApplies(p) ? weightDecay : 0.0;
            adam.update(p, ctx.sd().getArrForVarName(p), g, lr * lrMultiplier.applyAsDouble(p), wd);
        }
        return norm;
    }

    /**
     * Adds one micro-batch's gradients, divided by the number of micro-batches {@code k}, into {@code sum}: k
     * micro-batches of mean losses give the gradient of the mean over one batch k times larger.
     */
    public static void accumulate(Map<String, INDArray> sum, List<String> params, Map<String, INDArray> micro, int k) {
        for (String p : params) {
            INDArray g = micro.get(p);
            if (g == null) {
                continue;
            }
            sum.merge(p, g.div(k), INDArray::addi);
        }
    }

    /**
     * ND4J frees an array's native memory only when the Java object owning it is collected. A training loop makes
     * many small Java objects that own large native buffers, so with a roomy heap native memory grows towards
     * JavaCPP's limit, where every allocation waits on a full collection (measured: steps three times slower). A
     * collection every few steps keeps native memory flat for tens of milliseconds.
     */
    public static void releaseNativeMemory(int step, int every) {
        if (every > 0 && step % every == 0) {
            System.gc();
        }
    }

    /** The outputs a training pass must also fetch so {@link #updateBatchNorm} can run. */
    public static void addBatchNormOutputs(GraphContext ctx, List<String> outputs) {
        for (GraphContext.BatchNormUpdate u : ctx.batchNormUpdates()) {
            outputs.add(u.batchMean());
            outputs.add(u.batchVar());
        }
    }

    /** running = (1 - momentum) running + momentum batch, for every batch-statistics BatchNorm of the graph. */
    public static void updateBatchNorm(GraphContext ctx, Map<String, INDArray> values) {
        for (GraphContext.BatchNormUpdate u : ctx.batchNormUpdates()) {
            running(ctx, u.runningMean(), values.get(u.batchMean()), u.momentum());
            running(ctx, u.runningVar(), values.get(u.batchVar()), u.momentum());
        }
    }

    private static void running(GraphContext ctx, String name, INDArray batchValue, double momentum) {
        INDArray r = ctx.sd().getArrForVarName(name);
        r.muli(1 - momentum).addi(batchValue.castTo(r.dataType()).mul(momentum));
    }
}
