package org.gkc4j.train;

import org.gkc4j.GkcException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightAveragingTest {
    private static Map<String, INDArray> weights(double[] a, double[] b, long count) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("decoder.w", Nd4j.createFromArray(a).reshape(2, 2).castTo(DataType.FLOAT));
        m.put("decoder.b", Nd4j.createFromArray(b).castTo(DataType.FLOAT));
        m.put("norm.num_batches_tracked", Nd4j.createFromArray(count));
        return m;
    }

    @Test
    void averagesEachTensorByTheStartShareAndKeepsCounters() {
        Map<String, INDArray> start = weights(new double[]{1, 2, 3, 4}, new double[]{-1, 0.5}, 7);
        Map<String, INDArray> tuned = weights(new double[]{5, -2, 3, 0}, new double[]{1, 0.5}, 9);
        Map<String, INDArray> avg = WeightAveraging.average(start, tuned, 0.25);
        // by hand: 0.25 * start + 0.75 * tuned
        assertArrayEquals(new float[]{4f, -1f, 3f, 1f}, avg.get("decoder.w").data().asFloat());
        assertArrayEquals(new long[]{2, 2}, avg.get("decoder.w").shape());
        assertArrayEquals(new float[]{0.5f, 0.5f}, avg.get("decoder.b").data().asFloat());
        assertEquals(9L, avg.get("norm.num_batches_tracked").getLong(0), "an integer counter is the fine-tuned run's");
        assertEquals(List.copyOf(tuned.keySet()), List.copyOf(avg.keySet()));
        assertEquals(5.0, tuned.get("decoder.w").getDouble(0), "the inputs are left as they were");
        assertEquals(1.0, start.get("decoder.w").getDouble(0));
    }

    @Test
    void theEndsAreTheTwoWeightsThemselves() {
        Map<String, INDArray> start = weights(new double[]{1, 2, 3, 4}, new double[]{-1, 0.5}, 7);
        Map<String, INDArray> tuned = weights(new double[]{5, -2, 3, 0}, new double[]{1, 0.5}, 9);
        assertEquals(tuned.get("decoder.w"), WeightAveraging.average(start, tuned, 0).get("decoder.w"));
        assertEquals(start.get("decoder.w"), WeightAveraging.average(start, tuned, 1).get("decoder.w"));
        assertTrue(WeightAveraging.average(start, tuned, 0).get("decoder.w") != tuned.get("decoder.w"), "a copy, not the tuned array");
    }

    @Test
    void refusesMismatchedWeightsAndSharesOutsideTheUnitInterval() {
        Map<String, INDArray> start = weights(new double[]{1, 2, 3, 4}, new double[]{-1, 0.5}, 7);
        Map<String, INDArray> tuned = weights(new double[]{5, -2, 3, 0}, new double[]{1, 0.5}, 9);
        assertTrue(assertThrows(GkcException.class, () -> WeightAveraging.average(start, tuned, 1.5)).getMessage().contains("[0, 1]"));
        assertThrows(GkcException.class, () -> WeightAveraging.average(start, tuned, Double.NaN));
        Map<String, INDArray> renamed = new LinkedHashMap<>(tuned);
        renamed.put("decoder.extra", renamed.remove("decoder.b"));
        String names = assertThrows(GkcException.class, () -> WeightAveraging.average(start, renamed, 0.5)).getMessage();
        assertTrue(names.contains("decoder.extra"), names);
        // a start weight the fine-tuned network lacks is left out
        Map<String, INDArray> fewer = new LinkedHashMap<>(tuned);
        fewer.remove("decoder.b");
        assertEquals(List.of("decoder.w", "norm.num_batches_tracked"), List.copyOf(WeightAveraging.average(start, fewer, 0.5).keySet()));
        Map<String, INDArray> reshaped = new LinkedHashMap<>(tuned);
        reshaped.put("decoder.w", reshaped.get("decoder.w").reshape(4));
        assertTrue(assertThrows(GkcException.class, () -> WeightAveraging.average(start, reshaped, 0.5)).getMessage().contains("decoder.w"));
    }
}
