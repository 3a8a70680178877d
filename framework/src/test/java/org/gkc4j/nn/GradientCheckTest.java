package org.gkc4j.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradientCheckTest {
    private static SameDiff reluSum(double sign) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.rand(DataType.DOUBLE, 3, 4).addi(0.5).muli(sign));
        sd.nn().relu(x, 0).mul(x).sum().rename("loss");
        return sd;
    }

    /** A sample where every numeric and analytic derivative is zero (a dead ReLU) is refused, not passed. */
    @Test
    void refusesASampleWhoseDerivativesAreAllZero() {
        AssertionError e = assertThrows(AssertionError.class, () -> GradientCheck.check(reluSum(-1), "loss", Map.of(), 12));
        assertTrue(e.getMessage().contains("every sampled derivative is zero"), e.getMessage());
    }

    /** The same graph with live units passes, sampling as many elements per variable as asked. */
    @Test
    void passesLiveDerivativesWithThePerVariableSampleCount() {
        GradientCheck.Result r = GradientCheck.check(reluSum(1), "loss", Map.of(), v -> 5, 1e-6, 1e-5, 1e-9, false, v -> true);
        assertTrue(r.passed(), r.toString());
        assertEquals(5, r.checked());
        assertEquals(5, r.nonTrivial());
    }
}
