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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaskMomentEncoderTest {
    private static final int DISC = 0, RING = 1, TRIANGLE = 2, EMPTY = 3;

    /**
     * Mask logits [1,4,64,64]: +5 inside a disc, a ring (hole 0.55 of the radius) and an equilateral triangle (vertices
     * at the radius, rotated by {@code turn}) around (cy, cx), -5 elsewhere; the fourth mask is empty.
     */
    private static INDArray masks(double cy, double cx, double radius, double turn) {
        INDArray m = Nd4j.valueArrayOf(new long[]{1, 4, 64, 64}, -5.0, DataType.DOUBLE);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                double u = (x - cx) / radius, v = (y - cy) / radius, d = Math.hypot(u, v);
                boolean triangle = true;
                for (int k = 0; k < 3; k++) {
                    double normal = turn + Math.PI / 2 + 2 * Math.PI * k / 3;   // edges at distance 1/2 from the centre
                    triangle &= u * Math.cos(normal) + v * Math.sin(normal) <= 0.5;
                }
                if (d <= 1) {
                    m.putScalar(new long[]{0, DISC, y, x}, 5.0);
                }
                if (d <= 1 && d >= 0.55) {
                    m.putScalar(new long[]{0, RING, y, x}, 5.0);
                }
                if (triangle) {
                    m.putScalar(new long[]{0, TRIANGLE, y, x}, 5.0);
                }
            }
        }
        return m;
    }

    private static INDArray descriptors(INDArray masks) {
        GraphContext ctx = Graphs.doubleContext(3);
        SDVariable m = ctx.sd().placeHolder("masks", DataType.DOUBLE, 1, 4, 64, 64);
        SDVariable d = new MaskMomentEncoder(ctx.scope("mask_moments"), 4, 6).descriptors(m);
        return Graphs.eval(ctx, d, Map.of("masks", masks)).dup().reshape(4, MaskMomentEncoder.DESCRIPTORS);
    }

    /**
     * Against the shapes' analytic values: h1 = J / A^2 (polar moment over squared area) is 1/(2 pi) for a disc,
     * (1 + k^2) / (2 pi (1 - k^2)) for a ring with hole ratio k, sqrt(3)/9 for an equilateral triangle; all three are
     * isotropic (h2 = 0); only the triangle has a third-order invariant, h3 = 0.004562 (from a 3000x3000 numpy
     * rasterisation of it), and its three-fold symmetry makes h4 = 0. Rasterised at radius 20 cells.
     */
    @Test
    void huInvariantsOfDiscRingAndTriangleMatchTheirAnalyticValues() {
        INDArray d = descriptors(masks(31.5, 30.5, 20, 0.3));
        double k = 0.55;
        assertEquals(1 / (2 * Math.PI), d.getDouble(DISC, 1), 0.02 / (2 * Math.PI));
        assertEquals((1 + k * k) / (2 * Math.PI * (1 - k * k)), d.getDouble(RING, 1), 0.02 * 0.297);
        assertEquals(Math.sqrt(3) / 9, d.getDouble(TRIANGLE, 1), 0.02 * 0.192);
        for (int s = DISC; s <= TRIANGLE; s++) {
            assertTrue(d.getDouble(s, 2) < 1e-4, "shape " + s + " h2 " + d.getDouble(s, 2));
            assertTrue(d.getDouble(s, 4) < 2e-5, "shape " + s + " h4 " + d.getDouble(s, 4));
        }
        assertEquals(0.004562, d.getDouble(TRIANGLE, 3), 0.1 * 0.004562);
        assertTrue(d.getDouble(DISC, 3) < 5e-5 && d.getDouble(RING, 3) < 5e-5, d.toString());
        assertEquals(Math.sqrt(Math.PI * 400 / 4096), d.getDouble(DISC, 0), 0.02);
        for (int j = 0; j < MaskMomentEncoder.DESCRIPTORS; j++) {
            assertEquals(0.0, d.getDouble(EMPTY, j), 1e-12, "an empty mask describes as zeros");
        }
    }

    /** Moved, rotated and halved, each shape keeps its invariants (up to the coarser rasterisation). */
    @Test
    void invariantsDoNotDependOnPlaceTurnOrSize() {
        INDArray big = descriptors(masks(31.5, 30.5, 20, 0.3));
        INDArray small = descriptors(masks(20.2, 41.7, 10, 1.4));
        for (int s = DISC; s <= TRIANGLE; s++) {
            assertEquals(big.getDouble(s, 1), small.getDouble(s, 1), 0.03 * big.getDouble(s, 1), "shape " + s + " h1");
        }
        assertEquals(big.getDouble(TRIANGLE, 3), small.getDouble(TRIANGLE, 3), 0.2 * big.getDouble(TRIANGLE, 3));
    }

    @Test
    void gradientsOfTheMlpPassTheNumericalCheck() {
        GraphContext ctx = Graphs.doubleContext(13);
        SDVariable m = ctx.sd().placeHolder("masks", DataType.DOUBLE, 2, 3, 8, 8);
        SDVariable y = new MaskMomentEncoder(ctx.scope("mask_moments"), 8, 5).forward(m);
        assertArrayEquals(new long[]{2, 3, 5}, ctx.shape(y));
        Graphs.weightedLoss(ctx, y, 5);
        GradientCheck.Result r = GradientCheck.check(ctx.sd(), "loss", Map.of("masks", Graphs.randn(4, 2, 3, 8, 8).muli(3)), 30);
        assertTrue(r.passed() && r.nonTrivial() > 40, r.toString());
    }
}
