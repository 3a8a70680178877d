package org.gkc4j.pipeline.augment;

import org.gkc4j.pipeline.RgbImage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NormalizationTest {
    @Test
    void batchHoldsEachImageAtItsSlotAndZerosAfter() {
        RgbImage a = RgbImage.blank(2, 1), b = RgbImage.blank(2, 1);
        a.set(0, 0, 255, 0, 10);
        b.set(1, 0, 58, 116, 230);
        Normalization n = new Normalization(new double[]{0, 100, 10}, new double[]{1, 2, 4});
        float[] out = n.batch(List.of(a, b), 3);
        assertEquals(3 * 3 * 2, out.length);
        // image a, CHW: R = [255, 0], G = [(0-100)/2, (0-100)/2], B = [(10-10)/4, (0-10)/4]
        float[] first = {255, 0, -50, -50, 0, -2.5f};
        // image b: R = [0, 58], G = [-50, 8], B = [-2.5, 55]
        float[] second = {0, 58, -50, 8, -2.5f, 55};
        for (int i = 0; i < 6; i++) {
            assertEquals(first[i], out[i], 1e-6, "a " + i);
            assertEquals(second[i], out[6 + i], 1e-6, "b " + i);
            assertEquals(0f, out[12 + i], "empty slot " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> n.batch(List.of(a, RgbImage.blank(1, 1)), 2));
        assertThrows(IllegalArgumentException.class, () -> n.batch(List.of(a, b), 1));
    }
}
