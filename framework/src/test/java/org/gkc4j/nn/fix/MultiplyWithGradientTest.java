package org.gkc4j.nn.fix;

import org.gkc4j.nn.GradientCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultiplyWithGradientTest {
    static Stream<Arguments> broadcastPatterns() {
        return Stream.of(
                Arguments.of(new long[]{2, 3, 4, 5}, new long[]{1, 3, 1, 1}),   // BatchNorm / GroupNorm scale
                Arguments.of(new long[]{2, 4, 3}, new long[]{3}),               // LayerNorm scale, lower rank
                Arguments.of(new long[]{1, 3, 1, 1}, new long[]{2, 3, 4, 5}),   // the left operand broadcast
                Arguments.of(new long[]{4, 1}, new long[]{1, 5}),               // both broadcast (outer product)
                Arguments.of(new long[]{2, 3, 4}, new long[]{2, 1, 4}),         // a middle axis
                Arguments.of(new long[]{3, 4}, new long[]{3, 4}),               // same shape
                Arguments.of(new long[]{3, 4}, new long[]{1}),                  // one element
                Arguments.of(new long[]{3, 4}, new long[]{}));                  // a scalar
    }

    /** loss = sum(tanh(x * y) * u): the gradients of both operands against central differences, in DOUBLE. */
    @ParameterizedTest
    @MethodSource("broadcastPatterns")
    void gradientsOfBothOperandsMatchCentralDifferences(long[] xShape, long[] yShape) {
        OpFixes.install();
        Nd4j.getRandom().setSeed(11);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.rand(DataType.DOUBLE, xShape).subi(0.5));
        SDVariable y = sd.var("y", Nd4j.rand(DataType.DOUBLE, yShape).addi(0.5));
        SDVariable prod = x.mul(y);
        long[] outShape = broadcast(xShape, yShape);
        sd.math().tanh(prod).mul(sd.constant(Nd4j.rand(DataType.DOUBLE, outShape))).sum().rename("loss");
        GradientCheck.Result r = GradientCheck.check(sd, "loss", Map.of(), 200);
        assertTrue(r.passed(), Arrays.toString(xShape) + " * " + Arrays.toString(yShape) + ": " + r);
        assertTrue(r.nonTrivial() > r.checked() / 2, "too few non-zero derivatives: " + r);
        List<String> gradOps = sd.getFunction("grad").getOps().values().stream().map(SameDiffOp::getOp).map(o -> o.opName()).toList();
        assertFalse(gradOps.contains("multiply_bp"), "the gradient graph still uses M2.1's multiply_bp: " + gradOps);
        assertTrue(gradOps.contains(SumToShape.OP_NAME), "no " + SumToShape.OP_NAME + " in the gradient graph: " + gradOps);
    }

    private static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            out[i] = Math.max(da, db);
        }
        return out;
    }
}
