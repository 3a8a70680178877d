package org.gkc4j.nn;

import org.gkc4j.testing.Graphs;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins the M2.1 defects this project works around (../shared/docs/samediff-m2.1-notes.md). Each test asserts the
 * defect is still there; when an ND4J upgrade fixes one, its test fails and says which workaround to revisit.
 */
class UpstreamBugsPinTest {
    private static final String REVISIT = "upstream behaviour changed: revisit the workaround in ";

    @Test
    void scaledSdLossIgnoresTheUpstreamGradient() {
        double[] grads = new double[2];
        for (int k = 0; k < 2; k++) {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", Nd4j.createFromArray(1.0, 2.0, 3.0));
            SDVariable y = sd.constant(Nd4j.createFromArray(0.0, 0.0, 0.0));
            SDVariable mse = sd.loss().meanSquaredError(y, x, null);
            SDVariable loss = (k == 0 ? mse : mse.mul(3.0)).rename("loss");
            sd.setLossVariables("loss");
            grads[k] = sd.calculateGradients(Map.of(), "x").get("x").getDouble(0);
        }
        assertEquals(grads[0], grads[1], 1e-12, REVISIT + "nn.loss.Losses (issue #9026: 3*mse now differs from mse)");
    }

    @Test
    void logSoftmaxBreaksGradientCreation() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.rand(DataType.DOUBLE, 2, 3));
        sd.nn().logSoftmax(x, 1).sum().rename("loss");
        sd.setLossVariables("loss");
        assertThrows(Throwable.class, () -> sd.calculateGradients(Map.of(), "x"), REVISIT + "Losses.logSoftmax");
    }

    @Test
    void resizeBilinearBreaksGradientCreation() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.rand(DataType.FLOAT, 1, 4, 4, 2));
        sd.image().resizeBiLinear(x, 8, 8, false, true).sum().rename("loss");
        sd.setLossVariables("loss");
        assertThrows(Throwable.class, () -> sd.calculateGradients(Map.of(), "x"), REVISIT + "nn.Resize");
    }

    @Test
    void divisionBySingleElementTensorHasWrongGradient() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.createFromArray(1.0, 2.0, 3.0));
        SDVariable tau = sd.var("tau", Nd4j.createFromArray(2.0).reshape(1));
        x.div(tau).sum().rename("loss");
        sd.setLossVariables("loss");
        double dtau = sd.calculateGradients(Map.of(), "tau").get("tau").getDouble(0);
        double correct = -(1 + 2 + 3) / 4.0;
        assertTrue(Math.abs(dtau - correct) > 1e-6, REVISIT + "Losses.weightedCrossEntropy / cosineLogits (x / tau now differentiates correctly)");
    }

    @Test
    void oiyxConvolutionBackwardFails() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.rand(DataType.FLOAT, 1, 2, 5, 5));
        SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 3, 2, 3, 3));
        Conv2DConfig cfg = Conv2DConfig.builder().kH(3).kW(3).paddingMode(PaddingMode.VALID).weightsFormat(WeightsFormat.OIYX).build();
        sd.cnn().conv2d(x, w, cfg).sum().rename("loss");
        sd.setLossVariables("loss");
        assertThrows(Throwable.class, () -> sd.calculateGradients(Map.of(), "w"), REVISIT + "nn.Conv2d (OIYX backward)");
    }

    @Test
    void batchNormBackwardFails() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.rand(DataType.FLOAT, 2, 3, 4, 4));
        SDVariable mean = sd.var("m", Nd4j.zeros(DataType.FLOAT, 3));
        SDVariable var = sd.var("v", Nd4j.ones(DataType.FLOAT, 3));
        SDVariable gamma = sd.var("g", Nd4j.ones(DataType.FLOAT, 3));
        SDVariable beta = sd.var("b", Nd4j.zeros(DataType.FLOAT, 3));
        sd.nn().batchNorm(x, mean, var, gamma, beta, 1e-5, 1).sum().rename("loss");
        sd.setLossVariables("loss");
        assertThrows(Throwable.class, () -> sd.calculateGradients(Map.of(), "g"), REVISIT + "nn.BatchNorm2d (issue #9029)");
    }

    @Test
    void batchedMatmulWithBroadcastBatchDimensionsFails() {
        SameDiff sd = SameDiff.create();
        SDVariable a = sd.var("a", Nd4j.rand(DataType.FLOAT, 2, 3, 4, 5));
        SDVariable b = sd.var("b", Nd4j.rand(DataType.FLOAT, 1, 3, 5, 2));
        SDVariable out = sd.mmul(a, b);
        assertThrows(Throwable.class, () -> sd.output(Map.<String, INDArray>of(), out.name()), REVISIT + "nn.Attention (broadcast matmul)");
    }

    @Test
    void gatherWorkaroundIsInstalledAndDifferentiates() {
        var ctx = Graphs.doubleContext(1);
        SDVariable w = ctx.sd().var("w", Nd4j.rand(DataType.DOUBLE, 4, 2));
        SDVariable g = new org.gkc4j.nn.fix.GatherWithGradient(ctx.sd(), w, ctx.sd().constant(Nd4j.createFromArray(2, 2, 0))).outputVariable();
        g.sum().rename("loss");
        ctx.sd().setLossVariables("loss");
        INDArray grad = ctx.sd().calculateGradients(Map.of(), "w").get("w");
        assertEquals(Nd4j.createFromArray(new double[][]{{1, 1}, {0, 0}, {2, 2}, {0, 0}}), grad);
    }
}
