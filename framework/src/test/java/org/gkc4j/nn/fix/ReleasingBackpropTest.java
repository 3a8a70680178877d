package org.gkc4j.nn.fix;

import org.gkc4j.config.Configs;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcNetwork;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.util.Quiet;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReleasingBackpropTest {
    /** The tiny GKC network (convolutions, deformable-attention gathers, attention, norms) under a loss on every prediction set. */
    private record Net(SameDiff sd, List<String> params, Map<String, INDArray> placeholders) {
    }

    private static Net tinyNetwork() {
        OpFixes.install();
        GkcModelConfig cfg = Configs.load(GkcModelConfig.class, GkcModelConfig.defaults(), Path.of("../configs/model/tiny.yaml"), List.of());
        GraphContext ctx = GraphContext.builder().dtype(DataType.FLOAT).seed(5).training(true).build();
        SDVariable images = ctx.sd().placeHolder("images", DataType.FLOAT, 1, 3, 64, 64);
        GkcNetwork.Outputs out = new GkcNetwork(ctx, cfg).forward(images);
        SDVariable loss = null;
        for (int s = 0; s < out.sets(); s++) {
            SDVariable term = out.masks().get(s).mul(out.masks().get(s)).mean().add(out.classEmbeddings().get(s).mul(0.5).sum());
            loss = loss == null ? term : loss.add(term);
        }
        loss.rename("loss");
        ctx.sd().setLossVariables("loss");
        List<String> params = new ArrayList<>();
        ctx.sd().getVariables().forEach((k, v) -> {
            if (v.getVariable().getVariableType() == VariableType.VARIABLE) {
                params.add(k);
            }
        });
        Quiet.createGradFunction(ctx.sd());
        Nd4j.getRandom().setSeed(9);
        return new Net(ctx.sd(), params, Map.of("images", Nd4j.randn(DataType.FLOAT, 1, 3, 64, 64)));
    }

    private static Map<String, INDArray> copies(Map<String, INDArray> arrays) {
        Map<String, INDArray> out = new HashMap<>();
        arrays.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    /** Records the id of every array an op writes: an array the session recycled shows up twice. */
    private static final class OutputIds extends BaseListener {
        final List<Long> ids = new ArrayList<>();

        @Override
        public boolean isActive(Operation operation) {
            return true;
        }

        @Override
        public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext, INDArray[] outputs) {
            for (INDArray a : outputs) {
                if (a != null) {
                    ids.add(a.getId());
                }
            }
        }

        long recycled() {
            Set<Long> seen = new HashSet<>();
            return ids.stream().filter(id -> !seen.add(id)).count();
        }
    }

    @Test
    void sameOutputsAndGradientsAsSameDiffsOwnBackprop() {
        Net net = tinyNetwork();
        List<String> outputs = List.of("loss");
        // first call with release, then SameDiff's own (which switches release off), then release again: the third
        // call reuses the arrays the first one cached, the case where a wrongly released array would show
        OutAndGrad first = ReleasingBackprop.run(net.sd(), net.placeholders(), outputs, net.params());
        Map<String, INDArray> firstGrads = copies(first.getGradients());
        double firstLoss = first.getOutputs().get("loss").getDouble(0);
        OutAndGrad upstream = net.sd().calculateGradientsAndOutputs(net.placeholders(), outputs, net.params());
        OutAndGrad again = ReleasingBackprop.run(net.sd(), net.placeholders(), outputs, net.params());

        assertEquals(upstream.getGradients().keySet(), firstGrads.keySet());
        assertTrue(firstGrads.size() > 100, "the tiny network has more than 100 parameters with gradients: " + firstGrads.size());
        assertEquals(upstream.getOutputs().get("loss").getDouble(0), firstLoss, 0.0);
        assertEquals(upstream.getOutputs().get("loss").getDouble(0), again.getOutputs().get("loss").getDouble(0), 0.0);
        for (String p : firstGrads.keySet()) {
            INDArray want = upstream.getGradients().get(p);
            assertNotNull(want, p);
            assertEquals(want, firstGrads.get(p), "gradient of " + p + " (first call)");
            assertEquals(want, again.getGradients().get(p), "gradient of " + p + " (call after cached arrays)");
        }
    }

    @Test
    void freesIntermediatesDuringTheStepWhereSameDiffKeepsThemAll() {
        Net net = tinyNetwork();
        OutputIds upstream = new OutputIds();
        net.sd().setListeners(upstream);
        net.sd().calculateGradientsAndOutputs(net.placeholders(), List.of("loss"), net.params());
        // pins the M2.1 behaviour this class exists for: the gradient graph releases nothing, so (apart from the few
        // ops that hand back an input array) no op output is a reused array
        assertFalse(net.sd().getFunction("grad").isEnableCache(), "calculateGradientsAndOutputs no longer disables release");
        assertTrue(upstream.recycled() < upstream.ids.size() / 100,
                "SameDiff's own backprop recycled arrays within a step: " + upstream.recycled() + " of " + upstream.ids.size());

        OutputIds releasing = new OutputIds();
        net.sd().setListeners(releasing);
        ReleasingBackprop.run(net.sd(), net.placeholders(), List.of("loss"), net.params());
        System.out.printf("op outputs that are reused arrays: SameDiff %d of %d, releasing %d of %d%n", upstream.recycled(),
                upstream.ids.size(), releasing.recycled(), releasing.ids.size());
        assertTrue(releasing.recycled() > releasing.ids.size() / 20,
                "released arrays are reused by later ops of the same step: " + releasing.recycled() + " of " + releasing.ids.size());
    }
}
