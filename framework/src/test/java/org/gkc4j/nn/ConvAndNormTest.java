package org.gkc4j.nn;

import org.gkc4j.nn.GradientCheck;
import org.gkc4j.testing.Graphs;
import org.gkc4j.testing.Reference;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConvAndNormTest {

    private static void assertGradients(GraphContext ctx, SDVariable out, Map<String, INDArray> ph) {
        Graphs.weightedLoss(ctx, out, 99);
        GradientCheck.Result r = GradientCheck.check(ctx.sd(), "loss", ph, 40);
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void convMatchesLoopReferenceWithStridePaddingDilationAndGroups() {
        GraphContext ctx = Graphs.doubleContext(1);
        SDVariable x = ctx.sd().placeHolder("x", DataType.DOUBLE, 2, 4, 7, 6);
        Conv2d conv = new Conv2d(ctx.scope("conv"), 4, 6, 3, 2, 2, 2, 2, true, Init.torchDefault(), Init.uniform(0.5));
        SDVariable y = conv.forward(x);
        INDArray xv = Graphs.randn(3, 2, 4, 7, 6);
        INDArray got = Graphs.eval(ctx, y, Map.of("x", xv));
        INDArray want = Reference.conv2d(xv, ctx.stateDict().get("conv.weight"), ctx.sd().getArrForVarName("conv.bias"), 2, 2, 2, 2);
        assertEquals(java.util.Arrays.toString(want.shape()), java.util.Arrays.toString(ctx.shape(y)));
        assertTrue(Graphs.maxAbsDiff(got, want) < 1e-12, "conv differs from the loop reference");
        assertGradients(ctx, y, Map.of("x", xv));
    }

    @Test
    void plainConvWithoutBiasHasGradients() {
        GraphContext ctx = Graphs.doubleContext(2);
        SDVariable x = ctx.sd().placeHolder("x", DataType.DOUBLE, 1, 3, 5, 5);
        SDVariable y = new Conv2d(ctx.scope("c"), 3, 2, 3, 1, 1, false).forward(x);
        INDArray xv = Graphs.randn(4, 1, 3, 5, 5);
        INDArray want = Reference.conv2d(xv, ctx.stateDict().get("c.weight"), null, 1, 1, 1, 1);
        assertTrue(Graphs.maxAbsDiff(Graphs.eval(ctx, y, Map.of("x", xv)), want) < 1e-12);
        assertGradients(ctx, y, Map.of("x", xv));
    }

    @Test
    void batchNormInferenceUsesRunningStatistics() {
        GraphContext ctx = Graphs.doubleContext(3);
        SDVariable x = ctx.sd().placeHolder("x", DataType.DOUBLE, 2, 3, 2, 2);
        SDVariable y = new BatchNorm2d(ctx.scope("bn"), 3, false).forward(x);
        ctx.sd().getArrForVarName("bn.running_mean").assign(Nd4j.createFromArray(0.5, -1.0, 2.0));
        ctx.sd().getArrForVarName("bn.running_var").assign(Nd4j.createFromArray(4.0, 0.25, 1.0));
        ctx.sd().getArrForVarName("bn.weight").assign(Nd4j.createFromArray(2.0, 1.0, -1.0));
        ctx.sd().getArrForVarName("bn.bias").assign(Nd4j.createFromArray(0.0, 1.0, 3.0));
        INDArray xv = Graphs.randn(5, 2, 3, 2, 2);
        INDArray got = Graphs.eval(ctx, y, Map.of("x", xv));
        // channel 1 by hand: (x + 1) / sqrt(0.25 + 1e-5) * 1 + 1
        double x0 = xv.getDouble(1, 1, 0, 1);
        assertEquals((x0 + 1) / Math.sqrt(0.25 + 1e-5) + 1, got.getDouble(1, 1, 0, 1), 1e-12);
        double x2 = xv.getDouble(0, 2, 1, 1);
        assertEquals((x2 - 2) / Math.sqrt(1 + 1e-5) * -1 + 3, got.getDouble(0, 2, 1, 1), 1e-12);
        assertGradients(ctx, y, Map.of("x", xv));
    }

    @Test
    void batchNormTrainingUsesBatchStatisticsAndReportsThem() {
        GraphContext ctx = Graphs.doubleContext(4, true);
        SDVariable x = ctx.sd().placeHolder("x", DataType.DOUBLE, 3, 2, 2, 2);
        SDVariable y = new BatchNorm2d(ctx.scope("bn"), 2, true).forward(x);
        INDArray xv = Graphs.randn(6, 3, 2, 2, 2);
        GraphContext.BatchNormUpdate u = ctx.batchNormUpdates().get(0);
        Map<String, INDArray> out = ctx.sd().output(Map.of("x", xv), y.name(), u.batchMean(), u.batchVar());
        for (int c = 0; c < 2; c++) {
            double[] vals = xv.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(c)).dup().data().asDouble();
            double mean = 0, ss = 0;
            for (double v : vals) mean += v;
            mean /= vals.length;
            for (double v : vals) ss += (v - mean) * (v - mean);
            assertEquals(mean, out.get(u.batchMean()).getDouble(c), 1e-12);
            assertEquals(ss / (vals.length - 1), out.get(u.batchVar()).getDouble(c), 1e-12, "running update uses unbiased variance");
            double x0 = xv.getDouble(2, c, 1, 0);
            assertEquals((x0 - mean) / Math.sqrt(ss / vals.length + 1e-5), out.get(y.name()).getDouble(2, c, 1, 0), 1e-10);
        }
        assertEquals(12, u.count());
        assertGradients(ctx, y, Map.of("x", xv));
    }

    @Test
    void inferenceBatchNormFoldsIntoTheConvolution() {
        for (boolean frozen : new boolean[]{true, false}) {
            GraphContext ctx = GraphContext.builder().dtype(DataType.DOUBLE).seed(9).trainable(k -> !frozen).build();
            org.gkc4j.nn.fix.OpFixes.install();
            SDVariable x = ctx.sd().placeHolder("x", DataType.DOUBLE, 2, 3, 6, 5);
            Conv2d conv = new Conv2d(ctx.scope("conv"), 3, 4, 3, 1, 1, true);
            BatchNorm2d bn = new BatchNorm2d(ctx.scope("bn"), 4, false);
            ctx.sd().getArrForVarName("bn.running_mean").assign(Graphs.randn(1, 4));
            ctx.sd().getArrForVarName("bn.running_var").assign(Graphs.uniform(2, 0.5, 2, 4));
            ctx.sd().getArrForVarName("bn.weight").assign(Graphs.randn(3, 4));
            ctx.sd().getArrForVarName("bn.bias").assign(Graphs.randn(4, 4));
            SDVariable folded = bn.afterConv(conv, x);
            SDVariable plain = bn.forward(conv.forward(x));
            INDArray xv = Graphs.randn(5, 2, 3, 6, 5);
            Map<String, INDArray> out = ctx.sd().output(Map.of("x", xv), folded.name(), plain.name());
            assertTrue(Graphs.maxAbsDiff(out.get(folded.name()), out.get(plain.name())) < 1e-12, "frozen=" + frozen);
            if (!frozen) {
                assertGradients(ctx, folded, Map.of("x", xv));
            }
        }
    }

    @Test
    void groupNormNormalisesEachGroupOfChannels() {
        GraphContext ctx = Graphs.doubleContext(5);
        SDVariable x = ctx.sd().placeHolder("x", DataType.DOUBLE, 2, 4, 3, 2);
        GroupNorm gn = new GroupNorm(ctx.scope("gn"), 2, 4);
        ctx.sd().getArrForVarName("gn.weight").assign(Graphs.randn(7, 4));
        ctx.sd().getArrForVarName("gn.bias").assign(Graphs.randn(8, 4));
        SDVariable y = gn.forward(x);
        INDArray xv = Graphs.randn(9, 2, 4, 3, 2);
        INDArray got = Graphs.eval(ctx, y, Map.of("x", xv));
        INDArray w = ctx.sd().getArrForVarName("gn.weight"), b = ctx.sd().getArrForVarName("gn.bias");
        for (int n = 0; n < 2; n++)
            for (int g = 0; g < 2; g++) {
                double mean = 0, ss = 0;
                for (int c = 2 * g; c < 2 * g + 2; c++) for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) mean += xv.getDouble(n, c, i, j);
                mean /= 12;
                for (int c = 2 * g; c < 2 * g + 2; c++) for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) ss += Math.pow(xv.getDouble(n, c, i, j) - mean, 2);
                double sd = Math.sqrt(ss / 12 + 1e-5);
                for (int c = 2 * g; c < 2 * g + 2; c++)
                    assertEquals((xv.getDouble(n, c, 2, 1) - mean) / sd * w.getDouble(c) + b.getDouble(c), got.getDouble(n, c, 2, 1), 1e-12);
            }
        assertGradients(ctx, y, Map.of("x", xv));
    }

    @Test
    void layerNormUsesTorchEpsilon() {
        GraphContext ctx = Graphs.doubleContext(6);
        SDVariable x = ctx.sd().placeHolder("x", DataType.DOUBLE, 2, 3, 5);
        LayerNorm ln = new LayerNorm(ctx.scope("ln"), 5);
        ctx.sd().getArrForVarName("ln.weight").assign(Graphs.randn(10, 5));
        SDVariable y = ln.forward(x);
        // rows with tiny variance show the epsilon's place: var 1e-6 -> scale 1/sqrt(1e-6 + 1e-5)
        INDArray xv = Graphs.randn(11, 2, 3, 5).muli(1e-3);
        INDArray got = Graphs.eval(ctx, y, Map.of("x", xv));
        INDArray w = ctx.sd().getArrForVarName("ln.weight");
        for (int b = 0; b < 2; b++)
            for (int l = 0; l < 3; l++) {
                double mean = 0, ss = 0;
                for (int k = 0; k < 5; k++) mean += xv.getDouble(b, l, k);
                mean /= 5;
                for (int k = 0; k < 5; k++) ss += Math.pow(xv.getDouble(b, l, k) - mean, 2);
                for (int k = 0; k < 5; k++)
                    assertEquals((xv.getDouble(b, l, k) - mean) / Math.sqrt(ss / 5 + 1e-5) * w.getDouble(k), got.getDouble(b, l, k), 1e-10);
            }
        assertGradients(ctx, y, Map.of("x", xv.muli(1000)));
    }

    @Test
    void averagePoolingFloorsOddSizes() {
        GraphContext ctx = Graphs.doubleContext(7);
        SDVariable x = ctx.sd().var("x", Graphs.randn(12, 1, 2, 5, 4));
        SDVariable y = Pooling.avgPool(ctx.root(), x, 2);
        INDArray xv = ctx.sd().getArrForVarName("x");
        INDArray got = Graphs.eval(ctx, y, Map.of());
        assertEquals(java.util.List.of(1L, 2L, 2L, 2L), java.util.Arrays.stream(got.shape()).boxed().toList());
        double want = (xv.getDouble(0, 1, 2, 2) + xv.getDouble(0, 1, 2, 3) + xv.getDouble(0, 1, 3, 2) + xv.getDouble(0, 1, 3, 3)) / 4;
        assertEquals(want, got.getDouble(0, 1, 1, 1), 1e-12);
        assertGradients(ctx, y, Map.of());
    }
}
