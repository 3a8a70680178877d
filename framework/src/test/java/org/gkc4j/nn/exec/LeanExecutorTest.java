package org.gkc4j.nn.exec;

import org.gkc4j.config.Configs;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcNetwork;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.exec.GraphExecution.Executor;
import org.gkc4j.nn.exec.ExecutorComparison.Net;
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
