package org.gkc4j.experiments.doctor;

import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcPredictor;
import org.gkc4j.nn.Conv2d;
import org.gkc4j.nn.GradientCheck;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.GridSample;
import org.gkc4j.nn.GroupNorm;
import org.gkc4j.nn.MultiheadAttention;
import org.gkc4j.nn.fix.SumToShape;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The numerical self-checks of {@code gkc doctor}, on data generated here from fixed seeds (java.util.Random, so the
 * same on every backend): central-difference gradient checks in DOUBLE of blocks whose backward passes M2.1 gets
 * wrong without the project's fixes, and one forward of a tiny GKC network in DOUBLE and in FLOAT against the
 * float64 outputs the authors' PyTorch modules give for the same weights and input, stored in the jar.
 */
public final class SelfChecks {
    /**
     * max|a-b| / max|b| against the float64 reference. DOUBLE differs from it by summation order only (measured
     * on the CPU backend: below 1e-13); FLOAT by float32 rounding through a few dozen layers (measured: about 1e-6).
     */
    public static final double DOUBLE_TOLERANCE = 1e-9, FLOAT_TOLERANCE = 1e-4;
    private static final int ELEMENTS_PER_VARIABLE = 12;

    /** One named check and what it found. */
    public record Outcome(String name, boolean passed, String detail) {
    }

    private SelfChecks() {
    }

    /** The gradient checks, one outcome per block. */
    public static List<Outcome> gradients() {
        List<Outcome> out = new ArrayList<>();
        out.add(gradient("multi-head attention", SelfChecks::attention));
        out.add(gradient("conv 3x3 + group norm", SelfChecks::convGroupNorm));
        out.add(gradient("grid sample (gather backward fix)", SelfChecks::gridSample));
        out.add(gradient("broadcast multiply (multiply backward fix)", SelfChecks::broadcastMultiply));
        return out;
    }

    private interface Graph {
        /** Builds a DOUBLE graph with a scalar "loss"; returns its placeholders. */
        Map<String, INDArray> build(GraphContext ctx, Random rng);
    }

    private static Outcome gradient(String name, Graph graph) {
        try {
            GraphContext ctx = GraphContext.builder().dtype(DataType.DOUBLE).seed(3).build();
            Map<String, INDArray> ph = graph.build(ctx, new Random(17));
            GradientCheck.Result r = GradientCheck.check(ctx.sd(), "loss", ph, ELEMENTS_PER_VARIABLE);
            String detail = String.format(Locale.ROOT, "%d derivatives, max relative error %.1e", r.checked(), r.maxRelError());
            if (r.passed() && name.contains("multiply")) {
                List<String> ops = ctx.sd().getFunction("grad").getOps().values().stream().map(SameDiffOp::getOp).map(o -> o.opName()).toList();
                if (ops.contains("multiply_bp") || !ops.contains(SumToShape.OP_NAME)) {
                    return new Outcome(name, false, detail + ", but the gradient graph uses M2.1's multiply_bp, not the fix");
                }
            }
            return new Outcome(name, r.passed(), r.passed() ? detail : r.toString());
        } catch (RuntimeException e) {
            return new Outcome(name, false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static Map<String, INDArray> attention(GraphContext ctx, Random rng) {
        SDVariable q = ctx.withShape(ctx.sd().var("q", normal(rng, 2, 3, 8)), 2, 3, 8);
        SDVariable kv = ctx.withShape(ctx.sd().var("kv", normal(rng, 2, 5, 8)), 2, 5, 8);
        SDVariable out = new MultiheadAttention(ctx.scope("attn"), 8, 2).forward(q, kv, kv, null);
        weightedLoss(ctx, out, rng);
        return Map.of();
    }

    private static Map<String, INDArray> convGroupNorm(GraphContext ctx, Random rng) {
        SDVariable x = ctx.sd().placeHolder("x", DataType.DOUBLE, 1, 4, 6, 6);
        SDVariable y = new Conv2d(ctx.scope("conv"), 4, 4, 3, 1, 1, true).forward(x);
        y = new GroupNorm(ctx.scope("gn"), 2, 4).forward(y);
        weightedLoss(ctx, ctx.sd().math().tanh(y), ctx.shape(y), rng);
        return Map.of("x", normal(rng, 1, 4, 6, 6));
    }

    private static Map<String, INDArray> gridSample(GraphContext ctx, Random rng) {
        SDVariable x = ctx.withShape(ctx.sd().var("x", normal(rng, 2, 3, 4, 5)), 2, 3, 4, 5);
        // coordinates in [-1.3, 1.3]: some corners fall outside and read zero
        INDArray g = normal(rng, 2, 3, 2, 2);
        double[] u = new double[(int) g.length()];
        for (int i = 0; i < u.length; i++) {
            u[i] = -1.3 + 2.6 * rng.nextDouble();
        }
        SDVariable grid = ctx.withShape(ctx.sd().var("grid", Nd4j.createFromArray(u).reshape(2, 3, 2, 2)), 2, 3, 2, 2);
        weightedLoss(ctx, GridSample.gridSample(ctx.root(), x, grid), rng);
        return Map.of();
    }

    private static Map<String, INDArray> broadcastMultiply(GraphContext ctx, Random rng) {
        SameDiff sd = ctx.sd();
        SDVariable x = sd.var("x", normal(rng, 2, 3, 4, 5));
        SDVariable y = sd.var("y", normal(rng, 1, 3, 1, 1));
        weightedLoss(ctx, sd.math().tanh(x.mul(y)), new long[]{2, 3, 4, 5}, rng);
        return Map.of();
    }

    /**
     * The doctor network's outputs on this backend against the authors' PyTorch modules run in float64 on the same
     * weights and input ({@link DoctorNetwork}): once in DOUBLE, once in FLOAT. Last decoder layer's class logits and
     * masks, and the semantic scores.
     */
    public static List<Outcome> forward() {
        return forward(DoctorNetwork.weights());
    }

    /** As {@link #forward()} on given weights (a test perturbs one to see the checks fail). */
    static List<Outcome> forward(Map<String, INDArray> weights) {
        List<Outcome> out = new ArrayList<>();
        out.add(forward(weights, DataType.DOUBLE, DOUBLE_TOLERANCE));
        out.add(forward(weights, DataType.FLOAT, FLOAT_TOLERANCE));
        return out;
    }

    private static Outcome forward(Map<String, INDArray> weights, DataType dtype, double tolerance) {
        String name = "tiny GKC network in " + dtype + " against the authors' PyTorch modules in float64";
        try {
            GkcModelConfig cfg = DoctorNetwork.config();
            Map<String, INDArray> w = new LinkedHashMap<>();
            weights.forEach((k, v) -> w.put(k, v.castTo(dtype)));
            GkcPredictor.Result r = new GkcPredictor(cfg, w, dtype)
                    .run(DoctorNetwork.images().castTo(dtype), DoctorNetwork.textFeatures().castTo(dtype));
            INDArray logitsRef = DoctorNetwork.reference("class_logits"), masksRef = DoctorNetwork.reference("pred_masks");
            INDArray semRef = DoctorNetwork.reference("sem_seg");
            long last = logitsRef.size(0) - 1;
            if (r.classLogits().size(0) != logitsRef.size(0) || !java.util.Arrays.equals(r.semSeg().shape(), semRef.shape())) {
                return new Outcome(name, false, "output shapes differ from the reference's");
            }
            double logits = relDiff(r.classLogits().slice(last), logitsRef.slice(last));
            double masks = relDiff(r.predMasks().slice(last), masksRef.slice(last));
            double sem = relDiff(r.semSeg(), semRef);
            double worst = Math.max(logits, Math.max(masks, sem));
            String detail = String.format(Locale.ROOT, "max|a-b|/max|b|: class logits %.1e, masks %.1e, semantic scores %.1e (limit %.0e)",
                    logits, masks, sem, tolerance);
            return new Outcome(name, worst <= tolerance, detail);
        } catch (RuntimeException e) {
            return new Outcome(name, false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static void weightedLoss(GraphContext ctx, SDVariable out, Random rng) {
        weightedLoss(ctx, out, ctx.shape(out), rng);
    }

    /** loss = sum(out * W), W fixed and random, so no gradient is trivially symmetric. */
    private static void weightedLoss(GraphContext ctx, SDVariable out, long[] shape, Random rng) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] w = new double[(int) n];
        for (int i = 0; i < w.length; i++) {
            w[i] = 2 * rng.nextDouble() - 1;
        }
        out.mul(ctx.sd().constant(Nd4j.createFromArray(w).reshape(shape))).sum().rename("loss");
    }

    private static INDArray normal(Random rng, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextGaussian();
        }
        return Nd4j.createFromArray(v).reshape(shape);
    }

    private static double relDiff(INDArray a, INDArray b) {
        INDArray bd = b.castTo(DataType.DOUBLE);
        double den = bd.amaxNumber().doubleValue();
        return a.castTo(DataType.DOUBLE).sub(bd).amaxNumber().doubleValue() / Math.max(den, 1e-30);
    }
}
