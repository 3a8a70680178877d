package org.gkc4j.model;

import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.GradientCheck;
import org.gkc4j.testing.Graphs;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaskShapeEncoderTest {
    /** Mask logits [1,3,32,32]: +8 inside a disc, a ring or a triangle of radius 4 around (cy, cx), -30 outside. */
    private static INDArray masks(int cy, int cx) {
        INDArray m = Nd4j.valueArrayOf(new long[]{1, 3, 32, 32}, -30.0, DataType.DOUBLE);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                double u = (x - cx) / 4.0, v = (y - cy) / 4.0, d = Math.hypot(u, v);
                if (d <= 1) {
                    m.putScalar(new long[]{0, 0, y, x}, 8.0);
                }
                if (d <= 1 && d >= 0.55) {
                    m.putScalar(new long[]{0, 1, y, x}, 8.0);
                }
                if (v <= 0.5 && v >= -1 && Math.abs(u) <= (v + 1) / 1.5 * 0.87) {
                    m.putScalar(new long[]{0, 2, y, x}, 8.0);
                }
            }
        }
        return m;
    }

    @Test
    void gradientsOfEveryWeightPassTheNumericalCheck() {
        GraphContext ctx = Graphs.doubleContext(11);
        SDVariable m = ctx.sd().placeHolder("masks", DataType.DOUBLE, 2, 3, 8, 8);
        SDVariable y = new MaskShapeEncoder(ctx.scope("mask_shape"), 3, 5).forward(m);
        assertArrayEquals(new long[]{2, 3, 5}, ctx.shape(y));
        Graphs.weightedLoss(ctx, y, 5);
        GradientCheck.Result r = GradientCheck.check(ctx.sd(), "loss", Map.of("masks", Graphs.randn(4, 2, 3, 8, 8).muli(3)), 30);
        assertTrue(r.passed() && r.nonTrivial() > 40, r.toString());
    }

    /**
     * Shifted by multiples of the encoder's total stride (4 cells), away from the zero padding at the borders, an
     * outline gives the same code; different outlines do not.
     */
    @Test
    void anOutlineGivesTheSameCodeWhereverItIs() {
        GraphContext ctx = Graphs.doubleContext(12);
        SDVariable m = ctx.sd().placeHolder("masks", DataType.DOUBLE, 1, 3, 32, 32);
        SDVariable y = new MaskShapeEncoder(ctx.scope("mask_shape"), 4, 6).forward(m);
        INDArray here = Graphs.eval(ctx, y, Map.of("masks", masks(12, 12))).dup();
        INDArray there = Graphs.eval(ctx, y, Map.of("masks", masks(16, 20))).dup();
        assertTrue(Graphs.maxAbsDiff(here, there) < 1e-9, "shifted outlines differ by " + Graphs.maxAbsDiff(here, there));
        for (int a = 0; a < 3; a++) {
            for (int b = a + 1; b < 3; b++) {
                double d = Graphs.maxAbsDiff(here.reshape(3, 6).getRow(a), here.reshape(3, 6).getRow(b));
                assertTrue(d > 1e-3, "outlines " + a + " and " + b + " give the same code (" + d + ")");
            }
        }
    }
}
