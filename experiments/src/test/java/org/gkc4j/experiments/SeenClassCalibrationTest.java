package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SeenClassCalibrationTest {
    @Test
    void lowersOnlyTheSeenClasses() {
        assertArrayEquals(new float[]{-1.5f, 0f, -1.5f, 0f}, new SeenClassCalibration(1.5).bias(4, List.of(0, 2)).toFloatVector());
        assertNull(SeenClassCalibration.NONE.bias(4, List.of(0, 2)));
    }

    @Test
    void refusesNonsense() {
        assertThrows(GkcException.class, () -> new SeenClassCalibration(-1));
        assertThrows(GkcException.class, () -> new SeenClassCalibration(Double.NaN));
        assertThrows(GkcException.class, () -> new SeenClassCalibration(1).bias(3, List.of(3)));
    }
}
