package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HubnessCorrectionTest {
    @Test
    void hubnessIsTheMeanOfEachNamesLargestLogits() {
        List<float[]> rows = List.of(new float[]{1, 5}, new float[]{3, 2}, new float[]{2, 4});
        // class 0: top two of {1,3,2} = 3, 2 -> 2.5; class 1: top two of {5,2,4} = 5, 4 -> 4.5
        assertArrayEquals(new double[]{2.5, 4.5}, HubnessCorrection.fromLogits(rows, 2), 1e-12);
        // more neighbours than queries: all of them
        assertArrayEquals(new double[]{2.0, 11.0 / 3}, HubnessCorrection.fromLogits(rows, 10), 1e-12);
        // weight 1: minus (hubness - mean hubness 3.5)
        assertArrayEquals(new float[]{1f, -1f}, new HubnessCorrection(1, new double[]{2.5, 4.5}).bias().toFloatVector(), 1e-6f);
        assertArrayEquals(new float[]{0.25f, -0.25f}, new HubnessCorrection(0.25, new double[]{2.5, 4.5}).bias().toFloatVector(), 1e-6f);
        assertNull(new HubnessCorrection(0, new double[]{2.5, 4.5}).bias());
    }

    @Test
    void aHubLosesTheObjectItWonByLittle() {
        // query 0 is a class-0 object that the hub (class 1) takes by 0.2; query 1 is the hub's own
        List<float[]> rows = List.of(new float[]{5f, 5.2f}, new float[]{1f, 6f});
        HubnessCorrection h = new HubnessCorrection(1, HubnessCorrection.fromLogits(rows, 1));   // hubness 5, 6 -> bias +0.5, -0.5
        float[] b = h.bias().toFloatVector();
        assertEquals(0, 5f + b[0] > 5.2f + b[1] ? 0 : 1, "the corrected logits give query 0 to class 0");
        assertEquals(1, 1f + b[0] > 6f + b[1] ? 0 : 1, "and leave the hub its own object");
    }

    @Test
    void onlyObjectQueriesWithAMaskAreMeasured() {
        // three queries, two names + void: an object with a full mask, a void query, an object whose mask is empty
        var logits = Nd4j.createFromArray(new float[][][]{{{4f, 1f, 0f}, {0f, 0f, 5f}, {3f, 2f, 0f}}});
        var masks = Nd4j.createFromArray(new float[][][][]{{
                {{9f, 9f}, {9f, 9f}}, {{9f, 9f}, {9f, 9f}}, {{-20f, -20f}, {-20f, -20f}}}});
        List<float[]> rows = HubnessCorrection.objectQueryLogits(new SemanticPredictions.Queries(logits, masks), 1);
        assertEquals(1, rows.size());
        assertArrayEquals(new float[]{4f, 1f}, rows.get(0));
    }

    @Test
    void badSettingsAreClearErrors() {
        assertThrows(GkcException.class, () -> new HubnessCorrection(-0.1, new double[]{1}));
        assertThrows(GkcException.class, () -> new HubnessCorrection(Double.NaN, new double[]{1}));
        assertThrows(GkcException.class, () -> HubnessCorrection.fromLogits(List.of(), 5));
        assertThrows(GkcException.class, () -> HubnessCorrection.fromLogits(List.of(new float[]{1f}), 0));
    }
}
