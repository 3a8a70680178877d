package org.gkc4j.train;

import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcNetwork;
import org.gkc4j.nn.BatchNorm2d;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.Init;
import org.gkc4j.testing.Graphs;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The optimisation recipe against PyTorch's and detectron2's formulas written out here: the warm-up schedules,
 * full-model gradient-norm clipping, parameter groups, BatchNorm running statistics and gradient accumulation.
 */
class RecipeTest {
    private static TrainConfig schedule(TrainConfig.Schedule s, int iters, int warmup, double warmupFactor, List<Double> steps) {
        return new TrainConfig(iters, 2, 1, 1e-3, 0.05, 0.1, 0.01, s, warmup, warmupFactor, steps, 0.1, 0.9, 1000, 10, 0);
    }

    /** detectron2's _get_warmup_factor_at_iter, method "linear". */
    private static double warmup(int it, int warmupIters, double warmupFactor) {
        if (it >= warmupIters) {
            return 1.0;
        }
        double alpha = (double) it / warmupIters;
        return warmupFactor * (1 - alpha) + alpha;
    }

    /** Python's bisect.bisect_right: how many milestones are <= it. */
    private static int bisectRight(int[] milestones, int it) {
        int n = 0;
        for (int m : milestones) {
            if (m <= it) {
                n++;
            }
        }
        return n;
    }

    /** WarmupMultiStepLR (gamma ** bisect_right(milestones, it) x warm-up) at every iteration, decays inside warm-up too. */
    @Test
    void stepScheduleMatchesDetectron2sWarmupMultiStepLR() {
        for (int warmup : new int[]{0, 10, 60}) {
            TrainConfig c = schedule(TrainConfig.Schedule.STEP, 100, warmup, 0.001, List.of(0.5, 0.8, 0.9));
            int[] milestones = {50, 80, 90};
            for (int it = 0; it <= 110; it++) {
                double expected = Math.pow(0.1, bisectRight(milestones, it)) * warmup(it, warmup, 0.001);
                assertEquals(expected, c.lrFactor(it), 1e-15, "warm-up " + warmup + " iteration " + it);
            }
        }
    }

    /** WarmupPolyLR ((1 - it / max_iter) ** power x warm-up), and zero at and beyond the last iteration. */
    @Test
    void polyScheduleMatchesDetectron2sWarmupPolyLR() {
        for (int warmup : new int[]{0, 7}) {
            TrainConfig c = schedule(TrainConfig.Schedule.POLY, 40, warmup, 0.25, List.of());
            for (int it = 0; it <= 45; it++) {
                double expected = Math.pow(1.0 - Math.min(it, 40) / 40.0, 0.9) * warmup(it, warmup, 0.25);
                assertEquals(expected, c.lrFactor(it), 1e-15, "warm-up " + warmup + " iteration " + it);
            }
        }
        assertEquals(0.0, schedule(TrainConfig.Schedule.POLY, 40, 0, 1, List.of()).lrFactor(40));
    }

    private static GraphContext twoParameters(Map<String, INDArray> grads) {
        GraphContext ctx = Graphs.doubleContext(1, true);
        ctx.root().param("backbone.conv.weight", Init.normal(1), 3, 4);
        ctx.root().param("head.bias", Init.normal(1), 5);
        grads.put("backbone.conv.weight", Graphs.randn(2, 3, 4).muli(3));
        grads.put("head.bias", Graphs.randn(3, 5));
        return ctx;
    }

    /** torch.nn.utils.clip_grad_norm_ over all parameters: one norm of every gradient, coefficient max / (norm + 1e-6). */
    @Test
    void gradientClippingScalesEveryGradientByTheFullModelNorm() {
        for (double maxNorm : new double[]{0.01, 1e6}) {
            Map<String, INDArray> grads = new HashMap<>();
            GraphContext ctx = twoParameters(grads);
            Map<String, INDArray> before = new HashMap<>();
            grads.forEach((k, g) -> before.put(k, g.dup()));
            double sq = 0;
            for (INDArray g : before.values()) {
                for (double x : g.data().asDouble()) {
                    sq += x * x;
                }
            }
            double total = Math.sqrt(sq);
            double coef = Math.min(1.0, maxNorm / (total + 1e-6));
            double norm = ParameterUpdate.apply(ctx, List.of("backbone.conv.weight", "head.bias"), grads, new AdamW(), 1e-3, 0.05,
                    maxNorm, p -> 1.0, 0);
            assertEquals(total, norm, 1e-12, "the returned norm is the norm before clipping");
            for (String k : before.keySet()) {
                double[] want = before.get(k).data().asDouble(), got = grads.get(k).data().asDouble();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i] * coef, got[i], 1e-15 + 1e-12 * Math.abs(want[i] * coef), k + "[" + i + "] max norm " + maxNorm);
                }
            }
        }
    }

    /**
     * One AdamW step per parameter group: lr x multiplier for backbone parameters, decay only where the context allows;
     * the first Adam step is p (1 - lr wd) - lr g / (|g| + eps).
     */
    @Test
    void parameterGroupsScaleTheLearningRateAndSkipDecay() {
        TrainConfig cfg = schedule(TrainConfig.Schedule.CONSTANT, 10, 0, 1, List.of());
        Map<String, INDArray> grads = new HashMap<>();
        GraphContext ctx = twoParameters(grads);
        ctx.excludeFromWeightDecay("head.bias");
        Map<String, double[]> p0 = new HashMap<>(), g0 = new HashMap<>();
        for (String k : grads.keySet()) {
            p0.put(k, ctx.sd().getArrForVarName(k).dup().data().asDouble());
            g0.put(k, grads.get(k).dup().data().asDouble());
        }
        double lr = 1e-2, wd = 0.5;
        ParameterUpdate.apply(ctx, List.of("backbone.conv.weight", "head.bias"), grads, new AdamW(), lr, wd, 0, cfg::lrMultiplier, 0);
        assertEquals(0.1, cfg.lrMultiplier("backbone.conv.weight"));
        assertEquals(1.0, cfg.lrMultiplier("sem_seg_head.predictor.class_embed.weight"), "only the backbone's modules");
        for (String k : grads.keySet()) {
            double klr = lr * (k.startsWith("backbone.") ? 0.1 : 1.0), kwd = k.equals("head.bias") ? 0 : wd;
            double[] got = ctx.sd().getArrForVarName(k).data().asDouble();
            for (int i = 0; i < got.length; i++) {
                double g = g0.get(k)[i];
                double want = p0.get(k)[i] * (1 - klr * kwd) - klr * g / (Math.abs(g) + 1e-8);
                assertEquals(want, got[i], 1e-12, k + "[" + i + "]");
            }
        }
    }

    /** Norm layers (BN, GN, LN) and the decoder's nn.Embedding tables take no decay; everything else does (detectron2). */
    @Test
    void tinyNetworkDecaysExactlyWhatDetectron2Decays() {
        GraphContext ctx = GraphContext.builder().dtype(DataType.FLOAT).seed(1).training(true).build();
        GkcModelConfig model = TrainerTest.tiny();
        new GkcNetwork(ctx, model).forward(ctx.sd().placeHolder("images", DataType.FLOAT, 1, 3, 32, 32));
        // module names of norm layers in the authors' layout: bnN, downsample.1 (BN), normN / decoder_norm (LN),
        // input_proj.i.1 / adapter_1.norm / layer_1.norm / mask_features-free GN (GroupNorm as ".norm" or index 1)
        Pattern norm = Pattern.compile(".*(\\.bn\\d+|\\.downsample\\.1|\\.norm\\d*|\\.decoder_norm|\\.input_proj\\.\\d+\\.1)\\.(weight|bias)");
        Pattern embedding = Pattern.compile("sem_seg_head\\.predictor\\.(query_feat|query_embed|level_embed)\\.weight");
        List<String> decayed = new ArrayList<>(), notDecayed = new ArrayList<>();
        ctx.state().forEach((k, v) -> {
            if (v.getVariableType() != VariableType.VARIABLE) {
                return;
            }
            boolean expectDecay = !norm.matcher(k).matches() && !embedding.matcher(k).matches();
            assertEquals(expectDecay, ctx.weightDecayApplies(k), k);
            (expectDecay ? decayed : notDecayed).add(k);
        });
        System.out.println("no decay: " + notDecayed);
        assertTrue(decayed.contains("sem_seg_head.pixel_decoder.transformer.level_embed"), "a raw Parameter decays: " + decayed);
        assertTrue(decayed.contains("logit_scale") && decayed.contains("non_object_embedding"), decayed.toString());
        assertTrue(notDecayed.contains("sem_seg_head.predictor.query_feat.weight"), notDecayed.toString());
        assertTrue(notDecayed.contains("backbone.bn1.weight"), notDecayed.toString());
    }

    /** PyTorch's BatchNorm running update: running = (1 - momentum) running + momentum x batch (unbiased variance). */
    @Test
    void batchNormRunningStatisticsFollowPyTorchsMomentum() {
        GraphContext ctx = Graphs.doubleContext(4, true);
        SDVariable x = ctx.sd().placeHolder("x", DataType.DOUBLE, 3, 2, 2, 2);
        SDVariable y = new BatchNorm2d(ctx.scope("bn"), 2, true).forward(x);
        ctx.sd().getArrForVarName("bn.running_mean").assign(Nd4j.createFromArray(0.5, -1.0));
        ctx.sd().getArrForVarName("bn.running_var").assign(Nd4j.createFromArray(2.0, 0.25));
        double[] mean = {0.5, -1.0}, var = {2.0, 0.25};
        GraphContext.BatchNormUpdate u = ctx.batchNormUpdates().get(0);
        assertEquals(0.1, u.momentum(), "PyTorch's default momentum");
        for (int pass = 0; pass < 2; pass++) {
            INDArray xv = Graphs.randn(7 + pass, 3, 2, 2, 2).muli(2).addi(1);
            ParameterUpdate.updateBatchNorm(ctx, ctx.sd().output(Map.of("x", xv), y.name(), u.batchMean(), u.batchVar()));
            for (int c = 0; c < 2; c++) {
                double[] vals = xv.get(NDArrayIndex.all(), NDArrayIndex.point(c)).dup().data().asDouble();
                double m = 0, ss = 0;
                for (double v : vals) m += v;
                m /= vals.length;
                for (double v : vals) ss += (v - m) * (v - m);
                mean[c] = 0.9 * mean[c] + 0.1 * m;
                var[c] = 0.9 * var[c] + 0.1 * ss / (vals.length - 1);
                assertEquals(mean[c], ctx.sd().getArrForVarName("bn.running_mean").getDouble(c), 1e-12, "mean pass " + pass);
                assertEquals(var[c], ctx.sd().getArrForVarName("bn.running_var").getDouble(c), 1e-12, "var pass " + pass);
            }
        }
    }

    /** Gradients of a tiny linear model with a batch-mean loss: loss = mean over rows of sum((x W + b - t)^2). */
    private static Map<String, INDArray> linearGradients(INDArray w, INDArray b, INDArray x, INDArray t) {
        GraphContext ctx = Graphs.doubleContext(1, true);
        SDVariable wv = ctx.sd().var("w", w.dup()), bv = ctx.sd().var("b", b.dup());
        SDVariable xs = ctx.sd().constant(x), ts = ctx.sd().constant(t);
        SDVariable d = xs.mmul(wv).add(bv).sub(ts);
        d.mul(d).sum(1).mean().rename("loss");
        ctx.sd().setLossVariables("loss");
        return ctx.sd().calculateGradients(Map.of(), "w", "b");
    }

    /** Accumulating k = 3 micro-batches (Trainer's train.accumulate) gives the gradient and step of one batch 3x larger. */
    @Test
    void accumulatingMicroBatchesEqualsOneLargerBatch() {
        int k = 3, rows = 2;
        INDArray w = Graphs.randn(1, 4, 3), b = Graphs.randn(2, 3);
        INDArray x = Graphs.randn(3, k * rows, 4), t = Graphs.randn(4, k * rows, 3);
        Map<String, INDArray> big = linearGradients(w, b, x, t);
        Map<String, INDArray> sum = new HashMap<>();
        for (int m = 0; m < k; m++) {
            INDArray xm = x.get(NDArrayIndex.interval(m * rows, (m + 1) * rows), NDArrayIndex.all()).dup();
            INDArray tm = t.get(NDArrayIndex.interval(m * rows, (m + 1) * rows), NDArrayIndex.all()).dup();
            ParameterUpdate.accumulate(sum, List.of("w", "b"), linearGradients(w, b, xm, tm), k);
        }
        for (String p : List.of("w", "b")) {
            assertTrue(Graphs.maxAbsDiff(sum.get(p), big.get(p)) < 1e-12, p + ": " + sum.get(p) + " vs " + big.get(p));
        }
        // and the step built on them (clipping active, so the norm matters) is the same
        GraphContext a = twoParameters(new HashMap<>()), c = twoParameters(new HashMap<>());
        a.sd().getArrForVarName("head.bias").assign(0);
        c.sd().getArrForVarName("head.bias").assign(0);
        Map<String, INDArray> ga = Map.of("backbone.conv.weight", sum.get("w").reshape(3, 4).dup()),
                gc = Map.of("backbone.conv.weight", big.get("w").reshape(3, 4).dup());
        double na = ParameterUpdate.apply(a, List.of("backbone.conv.weight"), new HashMap<>(ga), new AdamW(), 1e-3, 0.05, 0.01, p -> 1.0, 0);
        double nc = ParameterUpdate.apply(c, List.of("backbone.conv.weight"), new HashMap<>(gc), new AdamW(), 1e-3, 0.05, 0.01, p -> 1.0, 0);
        assertEquals(nc, na, 1e-12, "gradient norm of the accumulated step");
        assertTrue(Graphs.maxAbsDiff(a.sd().getArrForVarName("backbone.conv.weight"), c.sd().getArrForVarName("backbone.conv.weight")) < 1e-15);
    }
}
