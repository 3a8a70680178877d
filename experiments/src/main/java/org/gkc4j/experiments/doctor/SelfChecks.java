package org.gkc4j.experiments.doctor;

import org.gkc4j.config.Configs;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcNetwork;
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
 * wrong without the project's fixes, and one forward of a tiny GKC network in FLOAT against the same network in
 * DOUBLE. The forward is a consistency check between the backend's float32 and float64 kernels, not a check against
 * PyTorch: the PyTorch outputs of the tiny network are shared test fixtures the project may not ship
 * ({@code GkcNetworkParityTest} checks against them where they are present).
 */
public final class SelfChecks {
    /** FLOAT against DOUBLE, max|a-b| / max|b|: float32 rounding through a few dozen layers stays far below this. */
    public static final double FORWARD_TOLERANCE = 1e-4;
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
     * The tiny network's outputs in FLOAT against DOUBLE from the same weights and inputs: last-layer class logits,
     * last-layer mask logits and semantic scores.
     */
    public static Outcome forward() {
        String name = "tiny GKC network, FLOAT vs DOUBLE";
        try {
            GkcModelConfig cfg = tinyNetwork();
            GraphContext init = GraphContext.builder().dtype(DataType.DOUBLE).seed(7).trainable(k -> false).build();
            new GkcNetwork(init, cfg).forward(init.sd().placeHolder("images", DataType.DOUBLE, 1, 3, 64, 64));
            Map<String, INDArray> w64 = init.stateDict();
            Map<String, INDArray> w32 = new LinkedHashMap<>();
            w64.forEach((k, v) -> w32.put(k, v.castTo(DataType.FLOAT)));
            Random rng = new Random(23);
            INDArray images = normal(rng, 2, 3, 64, 64);
            INDArray text = normal(rng, 5, cfg.head().embedDim());
            GkcPredictor.Result d = new GkcPredictor(cfg, w64, DataType.DOUBLE).run(images, text);
            GkcPredictor.Result f = new GkcPredictor(cfg, w32, DataType.FLOAT).run(images.castTo(DataType.FLOAT), text.castTo(DataType.FLOAT));
            long last = d.classLogits().size(0) - 1;
            double logits = relDiff(f.classLogits().slice(last), d.classLogits().slice(last));
            double masks = relDiff(f.predMasks().slice(last), d.predMasks().slice(last));
            double sem = relDiff(f.semSeg(), d.semSeg());
            double worst = Math.max(logits, Math.max(masks, sem));
            boolean finite = Double.isFinite(d.semSeg().sumNumber().doubleValue());
            String detail = String.format(Locale.ROOT, "max|a-b|/max|b|: class logits %.1e, masks %.1e, semantic scores %.1e (limit %.0e)",
                    logits, masks, sem, FORWARD_TOLERANCE);
            return new Outcome(name, finite && worst <= FORWARD_TOLERANCE, finite ? detail : "the DOUBLE outputs are not finite");
        } catch (RuntimeException e) {
            return new Outcome(name, false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** The smallest network that still has every part (the sizes of configs/model/tiny.yaml). */
    static GkcModelConfig tinyNetwork() {
        return Configs.load(GkcModelConfig.class, GkcModelConfig.defaults(), List.of(), List.of(
                "backbone.layers=[1, 1, 1, 1]", "backbone.width=8",
                "pixelDecoder.convDim=32", "pixelDecoder.maskDim=32", "pixelDecoder.encoderLayers=1", "pixelDecoder.heads=4",
                "pixelDecoder.encoderFfnDim=64", "pixelDecoder.groupNormGroups=8",
                "decoder.hidden=32", "decoder.queries=8", "decoder.heads=4", "decoder.ffnDim=64", "decoder.decLayers=3",
                "head.embedDim=24"));
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
