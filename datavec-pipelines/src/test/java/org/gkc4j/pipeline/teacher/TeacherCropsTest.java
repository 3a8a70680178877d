package org.gkc4j.pipeline.teacher;

import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class TeacherCropsTest {
    @TempDir
    Path dir;

    /** 8x6 image: segment 0 an L shape in red, segment 1 the rest in blue. */
    private static SegmentationSample lShape() {
        RgbImage img = RgbImage.blank(8, 6);
        int[] map = new int[48];
        for (int y = 0; y < 6; y++) for (int x = 0; x < 8; x++) {
            boolean l = (x == 2 && y >= 1 && y <= 4) || (y == 4 && x >= 2 && x <= 5);
            map[y * 8 + x] = l ? 0 : 1;
            if (l) img.set(x, y, 200, 10, 10); else img.set(x, y, 10, 10, 200);
        }
        return new SegmentationSample("l", img, map, List.of(new Segment(7, 0, false), new Segment(9, 1, false)), List.of());
    }

    @Test
    void boxIsTheSegmentsInclusiveBounds() {
        assertArrayEquals(new int[]{2, 1, 5, 4}, TeacherCrops.box(lShape(), 0));
        assertNull(TeacherCrops.box(lShape(), 5));
    }

    @Test
    void cropPaintsOutsideGreyAndKeepsTheSegment() {
        // size equal to the box: bicubic at scale 1 reproduces the pixels exactly
        RgbImage c = TeacherCrops.crop(lShape(), 0, 4);
        assertEquals(4, c.width());
        assertEquals(200, c.get(0, 0, 0), "column x=2 of the L");
        assertEquals(200, c.get(3, 3, 0), "bottom bar of the L");
        assertEquals(TeacherCrops.GREY, c.get(2, 1, 0), "inside the box, outside the segment: grey");
        assertEquals(TeacherCrops.GREY, c.get(3, 0, 2));
        RgbImage big = TeacherCrops.crop(lShape(), 0, 16);
        assertEquals(16, big.height(), "resized to the teacher's square input");
    }

    @Test
    void onePixelSegmentsStillCrop() {
        int[] map = new int[16];
        java.util.Arrays.fill(map, 1);
        map[5] = 0;
        RgbImage img = RgbImage.blank(4, 4);
        img.set(1, 1, 77, 88, 99);
        SegmentationSample s = new SegmentationSample("p", img, map, List.of(new Segment(1, 0, false), new Segment(2, 1, false)), List.of());
        RgbImage c = TeacherCrops.crop(s, 0, 3);
        assertEquals(77, c.get(1, 1, 0));
    }

    @Test
    void storeRoundTripsBySampleAndSegment() {
        TeacherFeatureStore st = TeacherFeatureStore.empty();
        st.put("a", new long[]{7, 9}, Nd4j.createFromArray(new float[][]{{1, 2}, {3, 4}}));
        Path f = dir.resolve("t.safetensors");
        st.write(f);
        TeacherFeatureStore back = TeacherFeatureStore.read(f);
        assertEquals(Nd4j.createFromArray(3f, 4f), back.get("a", 9));
        assertNull(back.get("a", 8));
        assertEquals(2, back.dim());
    }
}
