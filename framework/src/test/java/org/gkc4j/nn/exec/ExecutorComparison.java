package org.gkc4j.nn.exec;

import org.gkc4j.util.Quiet;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the executor tests share: a network under a loss on every prediction set, and "the same" for DOUBLE arrays. */
final class ExecutorComparison {
    static final double TOLERANCE = 1e-12;

    /** A graph with its gradient function, the forward outputs compared and its parameters. */
    record Net(SameDiff sd, List<String> outputs, List<String> params) {
    }

    private ExecutorComparison() {
    }

    /**
     * Adds {@code loss} = sum over the prediction sets of mean(mask^2) + 0.5 x sum(embedding), so every mask and
     * embedding carries a gradient, and builds the gradient function.
     */
    static Net underLoss(SameDiff sd, List<SDVariable> masks, List<SDVariable> embeddings) {
        SDVariable loss = null;
        List<String> outputs = new ArrayList<>();
        for (int s = 0; s < masks.size(); s++) {
            outputs.add(masks.get(s).name());
            outputs.add(embeddings.get(s).name());
            SDVariable term = masks.get(s).mul(masks.get(s)).mean().add(embeddings.get(s).mul(0.5).sum());
            loss = loss == null ? term : loss.add(term);
        }
        loss.rename("loss");
        sd.setLossVariables("loss");
        List<String> params = new ArrayList<>();
        sd.getVariables().forEach((k, v) -> {
            if (v.getVariable().getVariableType() == VariableType.VARIABLE) {
                params.add(k);
            }
        });
        Quiet.createGradFunction(sd);
        return new Net(sd, outputs, params);
    }

    static void assertSame(INDArray want, INDArray got, String what) {
        assertNotNull(got, what);
        assertEquals(want.dataType(), got.dataType(), what);
        assertArrayEquals(want.shape(), got.shape(), what);
        double diff = want.sub(got).amaxNumber().doubleValue();
        assertTrue(diff <= TOLERANCE, what + ": max |lean - samediff| = " + diff);
    }
}
