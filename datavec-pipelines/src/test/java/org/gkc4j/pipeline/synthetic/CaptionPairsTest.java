package org.gkc4j.pipeline.synthetic;

import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.teacher.TeacherCrops;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptionPairsTest {
    private final SyntheticWorld world = new SyntheticWorld();
    private final SceneGenerator gen = new SceneGenerator(world, 32);

    @Test
    void withoutRegionCropsThePairsAreScenesAndWholeObjects() {
        CaptionPairs plain = new CaptionPairs(gen, 100), explicit = new CaptionPairs(gen, 100, false);
        for (long i = 0; i < 8; i++) {
            assertArrayEquals(plain.get(i).image().data(), explicit.get(i).image().data());
            assertEquals(plain.get(i).caption(), explicit.get(i).caption());
            if (i % 2 == 0) {
                assertArrayEquals(gen.scene(100 + i, SceneGenerator.Split.ALL).image().data(), plain.get(i).image().data(), "pair " + i);
                assertEquals(gen.scene(100 + i, SceneGenerator.Split.ALL).captions().get(0), plain.get(i).caption());
            } else {
                // a single object on a full-frame background: no grey cut-out border
                RgbImage img = plain.get(i).image();
                assertTrue(img.get(0, 0, 0) != TeacherCrops.GREY || img.get(0, 0, 1) != TeacherCrops.GREY, "pair " + i);
            }
        }
    }

    @Test
    void everyFourthPairIsAMaskedRegionCropNamedByItsClass() {
        CaptionPairs plain = new CaptionPairs(gen, 100), crops = new CaptionPairs(gen, 100, true);
        int things = 0, cropCount = 0;
        double expectedDoubled = 0, expectedEqual = 0;
        for (long i = 0; i < 800; i++) {
            CaptionPairs.Pair c = crops.get(i);
            if (i % 4 != 3) {
                assertArrayEquals(plain.get(i).image().data(), c.image().data(), "pair " + i + " is the plain pair");
                assertEquals(plain.get(i).caption(), c.caption());
                continue;
            }
            assertEquals(32, c.image().width());
            // the caption is one name of exactly one class present in the scene, after an optional opener
            var scene = gen.scene(100 + i, SceneGenerator.Split.ALL);
            List<SyntheticWorld.ClassInfo> named = scene.segments().stream().map(s -> world.classes().get(s.classIndex()))
                    .filter(k -> k.synonyms().stream().anyMatch(c.caption()::endsWith)).toList();
            assertTrue(!named.isEmpty(), "caption '" + c.caption() + "' names a class of the scene");
            // and the image is that segment's teacher crop
            boolean matches = false;
            for (int k = 0; k < scene.segments().size(); k++) {
                if (named.contains(world.classes().get(scene.segments().get(k).classIndex()))) {
                    RgbImage expected = TeacherCrops.crop(scene, k, 32);
                    matches |= Arrays.equals(expected.data(), c.image().data());
                }
            }
            assertTrue(matches, "pair " + i + " is the masked crop of the segment its caption names");
            assertFalse(Arrays.equals(plain.get(i).image().data(), c.image().data()), "pair " + i + " replaces the plain pair");
            if (named.get(0).thing()) {
                things++;
            }
            // expected share of things if a thing segment is drawn twice as often as a stuff one, and if equally often
            long t = scene.segments().stream().filter(g -> world.classes().get(g.classIndex()).thing()).count();
            long u = scene.segments().size() - t;
            expectedDoubled += 2.0 * t / (2.0 * t + u);
            expectedEqual += (double) t / (t + u);
            cropCount++;
            assertArrayEquals(c.image().data(), crops.get(i).image().data(), "deterministic");
        }
        // things are drawn twice as often as stuff: the count sits nearer that expectation than the equal-odds one
        assertEquals(200, cropCount);
        assertTrue(Math.abs(things - expectedDoubled) < Math.abs(things - expectedEqual),
                things + " things of 200 crops; expected " + expectedDoubled + " (doubled) against " + expectedEqual + " (equal)");
    }
}
