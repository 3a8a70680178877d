package org.gkc4j.pipeline.augment;

import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JointAugmentationTest {
    /** A w x h image of vertical bands; band k is segment k and its red channel is 20 * (k + 1). */
    static SegmentationSample bands(int w, int h, int bands) {
        RgbImage img = RgbImage.blank(w, h);
        int[] map = new int[w * h];
        List<Segment> segs = new ArrayList<>();
        for (int k = 0; k < bands; k++) segs.add(new Segment(100 + k, k, false));
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
            int k = x * bands / w;
            map[y * w + x] = k;
            img.set(x, y, 20 * (k + 1), y, 0);
        }
        return new SegmentationSample("bands", img, map, segs, List.of());
    }

    @Test
    void imageAndSegmentsStayAlignedThroughCropAndFlip() {
        // sizes chosen so no resampling happens: a 64x64 image at scale 2 for a 32 crop (cropped), and a 32x16
        // image at scale 1 (padded below)
        SegmentationSample big = bands(64, 64, 6), small = bands(32, 16, 4);
        JointAugmentation cropping = new JointAugmentation(new AugmentConfig(32, 2.0, 2.0, 0.5, 128));
        JointAugmentation padding = new JointAugmentation(new AugmentConfig(32, 1.0, 1.0, 0.5, 128));
        int flips = 0, padded = 0;
        for (long seed = 0; seed < 40; seed++) {
            SegmentationSample a = seed % 2 == 0 ? cropping.apply(big, new SplittableRandom(seed)) : padding.apply(small, new SplittableRandom(seed));
            assertEquals(32, a.width());
            long[] area = a.areas();
            for (long ar : area) assertTrue(ar > 0, "every kept segment has pixels");
            for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) {
                int seg = a.segmentMap()[y * 32 + x];
                int red = a.image().get(x, y, 0);
                if (seg < 0) {
                    assertEquals(128, red, "void pixels are padding");
                    padded++;
                } else {
                    int original = a.segments().get(seg).classIndex();
                    assertEquals(20 * (original + 1), red, "pixel and label come from the same source pixel");
                }
            }
            // a flipped crop shows bands in decreasing order along x
            int first = a.segments().get(a.segmentMap()[0]).classIndex(), last = a.segments().get(a.segmentMap()[31]).classIndex();
            if (first > last) flips++;
        }
        assertTrue(flips > 5 && flips < 35, "about half the draws flip: " + flips);
        assertEquals(20 * 16 * 32, padded, "the short image is padded below on every odd seed");
    }

    @Test
    void segmentsCroppedAwayAreDroppedAndScaleJitterKeepsConsistency() {
        SegmentationSample s = bands(200, 50, 10);
        JointAugmentation aug = new JointAugmentation(AugmentConfig.largeScaleJitter(48));
        boolean dropped = false;
        for (long seed = 0; seed < 30; seed++) {
            SegmentationSample a = aug.apply(s, new SplittableRandom(seed));
            if (a.segments().size() < 10) dropped = true;
            for (int v : a.segmentMap()) assertTrue(v >= -1 && v < a.segments().size());
            for (long ar : a.areas()) assertTrue(ar > 0);
        }
        assertTrue(dropped, "some crops lose bands");
    }

    @Test
    void sameSeedSameResult() {
        SegmentationSample s = bands(64, 64, 4);
        JointAugmentation aug = new JointAugmentation(AugmentConfig.authors(48));
        SegmentationSample a = aug.apply(s, new SplittableRandom(9)), b = aug.apply(s, new SplittableRandom(9));
        assertArrayEquals(a.image().data(), b.image().data());
        assertArrayEquals(a.segmentMap(), b.segmentMap());
    }

    @Test
    void bilinearResizeMatchesHandValues() {
        RgbImage two = RgbImage.blank(2, 1);
        two.set(0, 0, 0, 0, 0);
        two.set(1, 0, 255, 0, 0);
        RgbImage four = Resampling.bilinear(two, 4, 1);
        // sources -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last pixel)
        assertEquals(0, four.get(0, 0, 0));
        assertEquals(64, four.get(1, 0, 0));
        assertEquals(191, four.get(2, 0, 0));
        assertEquals(255, four.get(3, 0, 0));
        assertArrayEquals(new int[]{1333, 800}, Resampling.shortestEdgeSize(640, 384, 800, 1333));
        assertArrayEquals(new int[]{1333, 667}, Resampling.shortestEdgeSize(2000, 1000, 800, 1333));
    }
}
