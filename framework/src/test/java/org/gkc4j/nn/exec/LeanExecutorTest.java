package org.gkc4j.nn.exec;

import org.gkc4j.config.Configs;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcNetwork;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.exec.GraphExecution.Executor;
import org.gkc4j.nn.exec.ExecutorComparison.Net;
import org.gkc4j.nn.fix.GatherWithGradient;
import org.gkc4j.nn.fix.OpFixes;
import org.gkc4j.nn.fix.ReleasingBackprop;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.gkc4j.nn.exec.ExecutorComparison.assertSame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeanExecutorTest {

    private static Net tinyNetwork() {
        OpFixes.install();
        GkcModelConfig cfg = Configs.load(GkcModelConfig.class, GkcModelConfig.defaults(), Path.of("../configs/model/tiny.yaml"), List.of());
        GraphContext ctx = GraphContext.builder().dtype(DataType.DOUBLE).seed(5).training(true).build();
        SDVariable images = ctx.sd().placeHolder("images", DataType.DOUBLE, 1, 3, 64, 64);
        GkcNetwork.Outputs out = new GkcNetwork(ctx, cfg).forward(images);
        return ExecutorComparison.underLoss(ctx.sd(), out.masks(), out.classEmbeddings());
    }

    private static Map<String, INDArray> image(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Map.of("images", Nd4j.randn(DataType.DOUBLE, 1, 3, 64, 64));
    }

    private static Map<String, INDArray> copies(Map<String, INDArray> arrays) {
        Map<String, INDArray> out = new HashMap<>();
        arrays.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    @Test
    void wholeNetworkForwardAndGradientsAsSameDiffOverConsecutiveCalls() {
        // freed buffers turn to NaN: an op reading a value after its buffer went back to the pool (a shape-only read
        // that reads values after all, or a liveness error) makes a gradient NaN
        LeanExecutor.poisonFreedBuffers = true;
        try {
            wholeNetworkAsSameDiff();
        } finally {
            LeanExecutor.poisonFreedBuffers = false;
        }
    }

    private void wholeNetworkAsSameDiff() {
        Net net = tinyNetwork();
        SameDiff gradFn = net.sd().getFunction("grad");
        long forwardRuns = GraphExecution.leanExecutions(net.sd());
        long gradRuns = GraphExecution.leanExecutions(gradFn);
        // two different inputs one after the other: the second call runs on the buffers the first one planned, so a
        // value left over from the first call, or a buffer handed to a later op while still read, shows as a difference
        for (long seed : new long[]{3, 4}) {
            Map<String, INDArray> ph = image(seed);
            Map<String, INDArray> want = net.sd().output(ph, net.outputs().toArray(new String[0]));
            Map<String, INDArray> got = copies(GraphExecution.output(Executor.LEAN, net.sd(), ph, net.outputs()));
            for (String o : net.outputs()) {
                assertSame(want.get(o), got.get(o), o + " (input " + seed + ")");
            }
            OutAndGrad wantG = ReleasingBackprop.run(Executor.SAMEDIFF, net.sd(), ph, List.of("loss"), net.params());
            OutAndGrad gotG = ReleasingBackprop.run(Executor.LEAN, net.sd(), ph, List.of("loss"), net.params());
            assertTrue(wantG.getGradients().size() > 100, "gradients of the tiny network: " + wantG.getGradients().size());
            assertEquals(wantG.getGradients().keySet(), gotG.getGradients().keySet());
            assertSame(wantG.getOutputs().get("loss"), gotG.getOutputs().get("loss"), "loss (input " + seed + ")");
            for (String p : wantG.getGradients().keySet()) {
                assertSame(wantG.getGradients().get(p), gotG.getGradients().get(p), "gradient of " + p + " (input " + seed + ")");
            }
        }
        assertEquals(forwardRuns + 2, GraphExecution.leanExecutions(net.sd()), "the forward calls ran on the lean path");
        assertEquals(gradRuns + 2, GraphExecution.leanExecutions(gradFn), "the gradient calls ran on the lean path");
        assertTrue(GraphExecution.leanPooledBytes(gradFn) > 0, "the gradient plan pools its intermediates");
    }

    @Test
    void aValueTheBackwardReadsOnlyForItsShapeIsFreedAfterTheForward() {
        // loss = sum(x * w + c), 1000 doubles each. Forward: p = x * w, r = p + c, the sum. Backward: reduce_sum_bp(r,
        // gradO) = g, add_bp(p, c, g) = (gp, gc), then gp * w and gp * x; reduce_sum_bp and add_bp read r, p and c
        // for their shapes alone. Freed after the forward, p and r leave at most three values of 8,000 bytes in the
        // pool at once (g, gp, gc at the add_bp), 24,000 bytes plus scalars; held for those reads they would make
        // four (32,000).
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, 1000);
        SDVariable w = sd.var("w", Nd4j.linspace(-1.0, 1.0, 1000, DataType.DOUBLE));
        SDVariable c = sd.constant("c", Nd4j.linspace(5.0, 6.0, 1000, DataType.DOUBLE));
        x.mul(w).add(c).sum().rename("loss");
        Map<String, INDArray> ph = Map.of("x", Nd4j.linspace(0.0, 3.0, 1000, DataType.DOUBLE));
        LeanExecutor.poisonFreedBuffers = true;
        try {
            OutAndGrad want = ReleasingBackprop.run(Executor.SAMEDIFF, sd, ph, List.of("loss"), List.of("w"));
            OutAndGrad got = ReleasingBackprop.run(Executor.LEAN, sd, ph, List.of("loss"), List.of("w"));
            assertSame(want.getOutputs().get("loss"), got.getOutputs().get("loss"), "loss");
            assertSame(want.getGradients().get("w"), got.getGradients().get("w"), "gradient of w");
            assertSame(ph.get("x"), got.getGradients().get("w"), "gradient of w is x");
        } finally {
            LeanExecutor.poisonFreedBuffers = false;
        }
        long peak = GraphExecution.leanPeakBytes(sd.getFunction("grad"))[0];
        assertTrue(peak >= 24000 && peak < 32000, "pooled bytes in use at once: " + peak);
    }

    /** loss = sum(tanh(sum over corners of gather(rows, idx) as [P, 2, 4] times weights)), P = 2000 points of 50 rows. */
    private static SameDiff sampledGraph(boolean recomputed) {
        OpFixes.install();
        SameDiff sd = SameDiff.create();
        Nd4j.getRandom().setSeed(11);
        SDVariable rows = sd.var("rows", Nd4j.randn(DataType.DOUBLE, 50, 8));
        SDVariable weights = sd.var("weights", Nd4j.rand(DataType.DOUBLE, 2000, 2, 1));
        SDVariable idx = sd.constant("idx", Nd4j.rand(DataType.DOUBLE, 2000).muli(50).castTo(DataType.INT));
        GatherWithGradient gather = new GatherWithGradient(sd, rows, idx);
        if (recomputed) {
            gather.recomputedForBackward();
        }
        SDVariable sampled = gather.outputVariable().reshape(-1, 2, 4).mul(weights).sum(1);
        sd.math().tanh(sampled).sum().rename("loss");
        return sd;
    }

    @Test
    void aRecomputedGatherGivesTheSameGradientsAndIsNotHeldForTheBackward() {
        long[] peaks = new long[2];
        for (boolean recomputed : new boolean[]{false, true}) {
            SameDiff sd = sampledGraph(recomputed);
            LeanExecutor.poisonFreedBuffers = true;
            try {
                OutAndGrad want = ReleasingBackprop.run(Executor.SAMEDIFF, sd, Map.of(), List.of("loss"), List.of("rows", "weights"));
                OutAndGrad got = ReleasingBackprop.run(Executor.LEAN, sd, Map.of(), List.of("loss"), List.of("rows", "weights"));
                assertSame(want.getOutputs().get("loss"), got.getOutputs().get("loss"), "loss");
                for (String p : List.of("rows", "weights")) {
                    assertSame(want.getGradients().get(p), got.getGradients().get(p), "gradient of " + p + (recomputed ? ", recomputed" : ""));
                }
            } finally {
                LeanExecutor.poisonFreedBuffers = false;
            }
            peaks[recomputed ? 1 : 0] = GraphExecution.leanPeakBytes(sd.getFunction("grad"))[0];
        }
        // held, the gathered [2000, 8] doubles (128,000 bytes) sit in the pool through the backward until the
        // weights' gradient reads them; gathered again there, they are freed after the forward
        assertTrue(peaks[1] <= peaks[0] - 64_000, "pooled bytes in use at once, held " + peaks[0] + ", recomputed " + peaks[1]);
    }

    @Test
    void shapeOnlyReadsAreTheInputsLibnd4jUsesForShape() {
        assertTrue(LeanExecutor.readsShapeOnly("reduce_sum_bp", 0, 1));
        assertTrue(!LeanExecutor.readsShapeOnly("reduce_sum_bp", 1, 1), "gradO is read");
        assertTrue(LeanExecutor.readsShapeOnly("add_bp", 1, 2));
        assertTrue(!LeanExecutor.readsShapeOnly("add_bp", 2, 2), "gradO is read");
        assertTrue(LeanExecutor.readsShapeOnly("concat_bp", 2, 3));
        assertTrue(!LeanExecutor.readsShapeOnly("concat_bp", 3, 3), "gradO is read");
        assertTrue(!LeanExecutor.readsShapeOnly("multiply", 0, 1));
        assertTrue(!LeanExecutor.readsShapeOnly("thresholdedrelu_bp", 0, 1), "the mask comes from the input's values");
    }

    @Test
    void requestedOutputsBelongToTheCallerAndShapesFollowIntegerPlaceholders() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1);
        SDVariable shape = sd.placeHolder("shape", DataType.LONG, 2);
        SDVariable y = sd.math().exp(x.mul(2.0)).reshape(shape).add(1.0);
        y.rename("y");
        SDVariable z = sd.math().square(y).sum(1);
        z.rename("z");
        List<String> outs = List.of("y", "z");
        INDArray x12 = Nd4j.createFromArray(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1);
        Map<String, INDArray> first = GraphExecution.output(Executor.LEAN, sd, Map.of("x", x12, "shape", Nd4j.createFromArray(2L, 6L)), outs);
        INDArray y1 = first.get("y").dup();
        // same placeholder shapes, other integer values: the reshape's output shape changes, the plan follows
        Map<String, INDArray> second = GraphExecution.output(Executor.LEAN, sd, Map.of("x", x12, "shape", Nd4j.createFromArray(3L, 4L)), outs);
        Map<String, INDArray> want = sd.output(Map.of("x", x12, "shape", Nd4j.createFromArray(3L, 4L)), "y", "z");
        assertSame(want.get("y"), second.get("y"), "y after a change of shape values");
        assertSame(want.get("z"), second.get("z"), "z after a change of shape values");
        assertEquals(y1, first.get("y"), "a later call does not overwrite the arrays an earlier one returned");
        // a new placeholder shape is a new plan
        INDArray x6 = Nd4j.createFromArray(-1.0, -0.6, -0.2, 0.2, 0.6, 1.0);
        Map<String, INDArray> third = GraphExecution.output(Executor.LEAN, sd, Map.of("x", x6, "shape", Nd4j.createFromArray(2L, 3L)), outs);
        assertSame(sd.output(Map.of("x", x6, "shape", Nd4j.createFromArray(2L, 3L)), "z").get("z"), third.get("z"), "z for a new signature");
    }

    @Test
    void aCallOnTheArraysOfTheCallBeforeBindsOnlyWhatChanged() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, 4);
        SDVariable c = sd.var("c", Nd4j.createFromArray(0.5, 1.0, 1.5, 2.0));
        SDVariable y = x;
        for (int i = 0; i < 10; i++) {
            y = i % 2 == 0 ? y.add(c) : y.mul(1.5);     // five custom adds reading c, five legacy scalar products
        }
        y.rename("y");
        INDArray x1 = Nd4j.createFromArray(1.0, 2.0, 3.0, 4.0);
        Executor lean = Executor.LEAN;
        GraphExecution.output(lean, sd, Map.of("x", x1), List.of("y"));
        long before = LeanExecutor.contextBindings();
        INDArray again = GraphExecution.output(lean, sd, Map.of("x", x1), List.of("y")).get("y");
        assertEquals(1, LeanExecutor.contextBindings() - before, "the same arrays again: only the fresh output of y is bound");
        assertSame(sd.output(Map.of("x", x1), "y").get("y"), again, "y on the same arrays");

        INDArray x2 = Nd4j.createFromArray(-3.0, 0.0, 0.25, 8.0);
        before = LeanExecutor.contextBindings();
        INDArray other = GraphExecution.output(lean, sd, Map.of("x", x2), List.of("y")).get("y");
        assertEquals(2, LeanExecutor.contextBindings() - before, "another placeholder array: the first op's inputs and y");
        assertSame(sd.output(Map.of("x", x2), "y").get("y"), other, "y for another placeholder array");

        x2.assign(Nd4j.createFromArray(7.0, 6.0, 5.0, 4.0));     // the same array, other values: nothing to bind again
        before = LeanExecutor.contextBindings();
        INDArray inPlace = GraphExecution.output(lean, sd, Map.of("x", x2), List.of("y")).get("y");
        assertEquals(1, LeanExecutor.contextBindings() - before, "values changed in place");
        assertSame(sd.output(Map.of("x", x2), "y").get("y"), inPlace, "y after the placeholder changed in place");

        // SameDiff copies a variable's new values into the array it holds (as a training update writes in place)
        sd.getVariable("c").setArray(Nd4j.createFromArray(-1.0, 0.0, 1.0, 2.0));
        before = LeanExecutor.contextBindings();
        INDArray newVariable = GraphExecution.output(lean, sd, Map.of("x", x2), List.of("y")).get("y");
        assertEquals(1, LeanExecutor.contextBindings() - before, "a variable's new values");
        assertSame(sd.output(Map.of("x", x2), "y").get("y"), newVariable, "y after the variable's values changed");
    }

    @Test
    void contextsHandedNewArraysAtEveryCallArePurgedAndStillGiveSameDiffsValues() {
        // fresh placeholder arrays, first of two alternating lengths (two layouts, each with its own pool views: every
        // op's context is handed new arrays at every call), then of one length (only the ops reading x and the fresh
        // requested output are handed new arrays; the rest of what a purged context held must be bound again)
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1);
        SDVariable c = sd.var("c", Nd4j.scalar(0.75));
        SDVariable y = x;
        for (int i = 0; i < 4; i++) {
            y = i % 2 == 0 ? y.add(c) : y.mul(1.5);     // custom adds, legacy scalar products
        }
        sd.concat(0, y, x.mul(c), y.sub(x)).rename("y");   // a custom op with an integer argument and three inputs
        long purges = LeanExecutor.contextPurges();
        for (int call = 0; call < 60; call++) {
            INDArray in = Nd4j.rand(DataType.DOUBLE, call >= 30 ? 4 : call % 2 == 0 ? 3 : 5).subi(0.5).muli(4.0);
            INDArray lean = GraphExecution.output(Executor.LEAN, sd, Map.of("x", in), List.of("y")).get("y");
            assertSame(sd.output(Map.of("x", in), "y").get("y"), lean, "call " + call);
        }
        assertTrue(LeanExecutor.contextPurges() - purges >= 10, "contexts handed new arrays at every call were purged");
    }

    @Test
    void graphsWithListenersGoToSameDiff() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, 3);
        x.mul(2.0).rename("y");
        sd.setListeners(new BaseListener() {
            @Override
            public boolean isActive(Operation operation) {
                return true;
            }
        });
        long before = GraphExecution.leanExecutions(sd);
        INDArray y = GraphExecution.output(Executor.LEAN, sd, Map.of("x", Nd4j.createFromArray(1.0, 2.0, 3.0)), List.of("y")).get("y");
        assertEquals(Nd4j.createFromArray(2.0, 4.0, 6.0), y);
        assertEquals(before, GraphExecution.leanExecutions(sd), "a graph with listeners does not run on the lean path");
    }
}
