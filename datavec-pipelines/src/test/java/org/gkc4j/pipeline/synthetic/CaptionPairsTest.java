package org.gkc4j.pipeline.synthetic;

import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.teacher.TeacherCrops;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptionPairsTest {
    private final SyntheticWorld world = new SyntheticWorld();
    private final SceneGenerator gen = new SceneGenerator(world, 32);

    @Test
    void withoutRegionCropsThePairsAreUnchanged() {
        CaptionPairs plain = new CaptionPairs(gen, 100), explicit = new CaptionPairs(gen, 100, false);
        for (long i = 0; i < 8; i++) {
            assertArrayEquals(plain.get(i).image().data(), explicit.get(i).image().data());
            assertEquals(plain.get(i).caption(), explicit.get(i).caption());
        }
        assertEquals(gen.scene(100, SceneGenerator.Split.ALL).captions().get(0), plain.get(0).caption());
    }

    @Test
    void everyFourthPairIsAMaskedRegionCropNamedByItsClass() {
        CaptionPairs plain = new CaptionPairs(gen, 100), crops = new CaptionPairs(gen, 100, true);
        int things = 0;
        for (long i = 0; i < 80; i++) {
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
            if (named.get(0).thing()) {
                things++;
            }
            assertArrayEquals(c.image().data(), crops.get(i).image().data(), "deterministic");
        }
        assertTrue(things >= 8, "things are cropped more often than stuff: " + things + " of 20");
    }
}
