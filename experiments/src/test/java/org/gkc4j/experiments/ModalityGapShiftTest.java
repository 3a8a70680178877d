package org.gkc4j.experiments;

import org.gkc4j.pipeline.teacher.TeacherFeatureStore;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ModalityGapShiftTest {
    private static TeacherFeatureStore store() {
        TeacherFeatureStore s = TeacherFeatureStore.empty();
        s.put("a", new long[]{7}, Nd4j.createFromArray(new float[][]{{3, 4}}));
        s.put("b", new long[]{1, 2}, Nd4j.createFromArray(new float[][]{{0, 2}, {1, 0}}));
        return s;
    }

    @Test
    void movesUnitFeaturesByTheGapBetweenTheMeans() {
        // by hand: unit features (0.6, 0.8), (0, 1), (1, 0) have mean (0.53333, 0.6); unit texts (1, 0), (0, -1) have
        // mean (0.5, -0.5); gap (-0.033333, -1.1)
        INDArray text = Nd4j.createFromArray(new float[][]{{2, 0}, {0, -1}});
        TeacherFeatureStore shifted = ModalityGapShift.apply(store(), text);
        assertArrayEquals(new double[]{-0.0333333, -1.1}, ModalityGapShift.gap(store(), text).toDoubleVector(), 1e-6);
        assertArrayEquals(new double[]{0.5666667, -0.3}, shifted.get("a", 7).toDoubleVector(), 1e-6);
        assertArrayEquals(new double[]{-0.0333333, -0.1}, shifted.get("b", 1).toDoubleVector(), 1e-6);
        assertArrayEquals(new double[]{0.9666667, -1.1}, shifted.get("b", 2).toDoubleVector(), 1e-6);
        assertEquals(DataType.FLOAT, shifted.get("b", 2).dataType());
        assertEquals(2, shifted.size());
    }

    @Test
    void refusesFeaturesOutsideTheTextSpace() {
        INDArray text = Nd4j.createFromArray(new float[][]{{1, 0, 0}});
        assertThrows(IllegalArgumentException.class, () -> ModalityGapShift.apply(store(), text));
    }
}
