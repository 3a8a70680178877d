package org.gkc4j.model;

import org.gkc4j.nn.Attention;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.testing.Graphs;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MaskedAttentionRowTest {
    /** Keys with a negative mask logit are blocked, except in a row where every key is blocked: that query attends everywhere. */
    @Test
    void aFullyBlockedRowAttendsEverywhere() {
        GraphContext ctx = Graphs.doubleContext(1);
        // image 0: query 0 partly blocked, query 1 fully blocked; image 1: query 0 never blocked, query 1 fully blocked
        INDArray logits = Nd4j.createFromArray(new double[][][]{
                {{-1, 2, -0.5, 3}, {-1, -2, -0.1, -3}},
                {{1, 2, 0.5, 3}, {-4, -4, -4, -4}}});
        SDVariable x = ctx.sd().constant(logits);
        INDArray got = MaskedAttentionDecoder.blockedWhereNegative(ctx.root(), x, 4).eval();
        double[][][] want = {
                {{Attention.BLOCKED, 0, Attention.BLOCKED, 0}, {0, 0, 0, 0}},
                {{0, 0, 0, 0}, {0, 0, 0, 0}}};
        for (int b = 0; b < 2; b++) {
            for (int q = 0; q < 2; q++) {
                for (int k = 0; k < 4; k++) {
                    assertEquals(want[b][q][k], got.getDouble(b, q, k), 0.0, "image " + b + " query " + q + " key " + k);
                }
            }
        }
    }
}
