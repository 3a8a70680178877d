package org.gkc4j.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AdamWTest {
    /** PyTorch's AdamW written out element by element: decay, moments, bias-corrected step. */
    private static void reference(double[] p, double[] g, double[] m, double[] v, int t, double lr, double wd,
                                  double b1, double b2, double eps) {
        double bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
        for (int i = 0; i < p.length; i++) {
            p[i] *= 1 - lr * wd;
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            p[i] -= lr / bc1 * m[i] / (Math.sqrt(v[i] / bc2) + eps);
        }
    }

    private static void assertMatchesReference(DataType type, double tolerance, boolean fused) {
        int n = 1000;
        double b1 = 0.9, b2 = 0.98, eps = 1e-6, wd = 0.05;
        double[] lrs = {1e-3, 0.0, 5e-4, 1e-3, 2e-4, 1e-3};   // a zero step size (warm-up start) in between
        SplittableRandom rng = new SplittableRandom(3);
        double[] p = rng.doubles(n, -1, 1).toArray(), m = new double[n], v = new double[n];
        INDArray param = Nd4j.createFromArray(p.clone()).castTo(type);
        AdamW adam = new AdamW(b1, b2, eps, fused);
        for (int step = 1; step <= lrs.length; step++) {
            // tiny gradients too, where eps decides the step
            double[] g = rng.doubles(n, -1, 1).map(x -> Math.abs(x) < 0.2 ? x * 1e-6 : x).toArray();
            adam.nextStep();
            adam.update("w", param, Nd4j.createFromArray(g).castTo(type), lrs[step - 1], wd);
            reference(p, g, m, v, step, lrs[step - 1], wd, b1, b2, eps);
            double[] got = param.castTo(DataType.DOUBLE).toDoubleVector();
            for (int i = 0; i < n; i++) {
                assertEquals(p[i], got[i], tolerance, type + " step " + step + " element " + i);
            }
        }
        assertEquals(lrs.length, adam.steps());
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "fused {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void matchesPyTorchsFormulaInDouble(boolean fused) {
        assertMatchesReference(DataType.DOUBLE, 1e-12, fused);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "fused {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void matchesPyTorchsFormulaInFloat(boolean fused) {
        assertMatchesReference(DataType.FLOAT, 2e-6, fused);
    }
}
