package org.gkc4j.nn;

import org.gkc4j.nn.loss.Losses;
import org.gkc4j.nn.GradientCheck;
import org.gkc4j.testing.Graphs;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossesTest {

    private static void assertGradients(SameDiff sd, SDVariable scalar) {
        scalar.rename("loss");
        GradientCheck.Result r = GradientCheck.check(sd, "loss", Map.of(), 40);
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void logSoftmaxIsStableAndExact() {
        GraphContext ctx = Graphs.doubleContext(1);
        SDVariable x = ctx.sd().var("x", Nd4j.createFromArray(new double[][]{{1000, 1001, 999}, {-3, 0, 2}}));
        INDArray got = Graphs.eval(ctx, Losses.logSoftmax(ctx.sd(), x, 1), Map.of());
        double z = Math.log(Math.exp(-1) + 1 + Math.exp(-2));
        assertEquals(-1 - z, got.getDouble(0, 0), 1e-12);
        assertEquals(-z, got.getDouble(0, 1), 1e-12);
        double z2 = Math.log(Math.exp(-3) + 1 + Math.exp(2));
        assertEquals(2 - z2, got.getDouble(1, 2), 1e-12);
        SDVariable w = ctx.sd().constant(Graphs.randn(2, 2, 3));
        assertGradients(ctx.sd(), Losses.logSoftmax(ctx.sd(), x.mul(0.001), 1).mul(w).sum());
    }

    @Test
    void bceWithLogitsMatchesDefinition() {
        GraphContext ctx = Graphs.doubleContext(2);
        SDVariable x = ctx.sd().var("x", Nd4j.createFromArray(-30.0, -1.5, 0.2, 2.0, 40.0));
        SDVariable y = ctx.sd().constant(Nd4j.createFromArray(1.0, 0.0, 1.0, 0.3, 0.0));
        INDArray got = Graphs.eval(ctx, Losses.bceWithLogits(ctx.sd(), x, y), Map.of());
        double[] xs = {-30, -1.5, 0.2, 2.0, 40}, ys = {1, 0, 1, 0.3, 0};
        for (int i = 0; i < 5; i++) {
            double p = 1 / (1 + Math.exp(-xs[i]));
            double want = -(ys[i] * Math.log(p) + (1 - ys[i]) * Math.log1p(-p));
            if (Double.isFinite(want)) {
                assertEquals(want, got.getDouble(i), 1e-9);
            }
        }
        assertEquals(30.0, got.getDouble(0), 1e-9, "large negative logit with target 1 costs |x|, not infinity");
        assertEquals(40.0, got.getDouble(4), 1e-9);
        assertGradients(ctx.sd(), Losses.bceWithLogits(ctx.sd(), x.mul(0.1), y).mul(ctx.sd().constant(Graphs.randn(3, 5))).sum());
    }

    @Test
    void diceByHand() {
        GraphContext ctx = Graphs.doubleContext(3);
        SDVariable x = ctx.sd().var("x", Nd4j.createFromArray(new double[][]{{0, 0, 0, 0}, {1, -1, 2, 0.5}}));
        SDVariable y = ctx.sd().constant(Nd4j.createFromArray(new double[][]{{1, 1, 0, 0}, {0, 1, 1, 0}}));
        INDArray got = Graphs.eval(ctx, Losses.dice(ctx.sd(), x, y), Map.of());
        // row 0: sigma = 0.5 everywhere: 1 - (2*1 + 1) / (2 + 2 + 1) = 0.4
        assertEquals(0.4, got.getDouble(0), 1e-12);
        double[] s = {1 / (1 + Math.exp(-1)), 1 / (1 + Math.exp(1)), 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(-0.5))};
        double num = 2 * (s[1] + s[2]) + 1, den = s[0] + s[1] + s[2] + s[3] + 2 + 1;
        assertEquals(1 - num / den, got.getDouble(1), 1e-12);
        assertGradients(ctx.sd(), Losses.dice(ctx.sd(), x, y).mul(ctx.sd().constant(Nd4j.createFromArray(0.7, -1.3))).sum());
    }

    @Test
    void weightedCrossEntropyMatchesTorchWithIgnoreAndVoidWeight() {
        GraphContext ctx = Graphs.doubleContext(4);
        double[][] l = {{2.0, 0.5, -1.0}, {0.1, 0.2, 0.3}, {-1, 3, 0}};
        SDVariable logits = ctx.sd().var("logits", Nd4j.createFromArray(l));
        // targets 0, 2 (void, weight 0.1), and an ignored row
        SDVariable onehot = ctx.sd().constant(Nd4j.createFromArray(new double[][]{{1, 0, 0}, {0, 0, 1}, {0, 1, 0}}));
        SDVariable weights = ctx.sd().constant(Nd4j.createFromArray(1.0, 0.1, 0.0));
        INDArray got = Graphs.eval(ctx, Losses.weightedCrossEntropy(ctx.sd(), logits, onehot, weights), Map.of());
        double nll0 = -(2.0 - Math.log(Math.exp(2) + Math.exp(0.5) + Math.exp(-1)));
        double nll1 = -(0.3 - Math.log(Math.exp(0.1) + Math.exp(0.2) + Math.exp(0.3)));
        assertEquals((nll0 + 0.1 * nll1) / 1.1, got.getDouble(0), 1e-12);
        assertGradients(ctx.sd(), Losses.weightedCrossEntropy(ctx.sd(), logits, onehot, weights).mul(3.0));
    }

    @Test
    void cosineLogitsWithLearnableScale() {
        GraphContext ctx = Graphs.doubleContext(5);
        SDVariable v = ctx.sd().var("v", Nd4j.createFromArray(new double[][]{{3, 4}, {1, 0}}));
        SDVariable t = ctx.sd().var("t", Nd4j.createFromArray(new double[][]{{0, 2}, {-1, 1}, {5, 0}}));
        SDVariable scale = ctx.sd().var("logit_scale", Nd4j.scalar(Math.log(1 / 0.07)));
        INDArray got = Graphs.eval(ctx, Losses.cosineLogits(ctx.sd(), v, t, scale), Map.of());
        double tau = 1 / 0.07;
        assertEquals(0.8 * tau, got.getDouble(0, 0), 1e-6);
        assertEquals((-0.6 + 0.8) / Math.sqrt(2) * tau, got.getDouble(0, 1), 1e-6);
        assertEquals(tau, got.getDouble(1, 2), 1e-5);
        assertGradients(ctx.sd(), Losses.cosineLogits(ctx.sd(), v, t, scale.mul(0.1)).mul(ctx.sd().constant(Graphs.randn(6, 2, 3))).sum());
    }
}
