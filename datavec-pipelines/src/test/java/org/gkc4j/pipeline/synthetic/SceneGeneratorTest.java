package org.gkc4j.pipeline.synthetic;

import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SceneGeneratorTest {
    private final SyntheticWorld world = new SyntheticWorld();
    private final SceneGenerator gen = new SceneGenerator(world, 64);

    @Test
    void worldHasSeenAndUnseenCompositions() {
        assertEquals(26, world.classes().size());
        assertEquals(5, world.unseen().size());
        for (int u : world.unseen()) {
            SyntheticWorld.ClassInfo c = world.classes().get(u);
            assertTrue(world.classes().stream().anyMatch(o -> o.seen() && o.colour() == c.colour()), "colour of " + c.name() + " is seen elsewhere");
            assertTrue(world.classes().stream().anyMatch(o -> o.seen() && o.shape() == c.shape()), "shape of " + c.name() + " is seen elsewhere");
        }
        assertEquals("red circle", world.classNames().get(0));
        assertTrue(world.synonymTable().get("red circle").contains("crimson disc"));
    }

    @Test
    void scenesAreDeterministicBySeed() {
        SegmentationSample a = gen.scene(42, SceneGenerator.Split.ALL), b = gen.scene(42, SceneGenerator.Split.ALL), c = gen.scene(43, SceneGenerator.Split.ALL);
        assertArrayEquals(a.image().data(), b.image().data());
        assertArrayEquals(a.segmentMap(), b.segmentMap());
        assertEquals(a.captions(), b.captions());
        assertFalse(Arrays.equals(a.image().data(), c.image().data()));
    }

    @Test
    void seenScenesHoldNoUnseenClassAndEverySegmentShows() {
        Set<Integer> unseen = new HashSet<>(world.unseen());
        int objects = 0;
        for (long s = 0; s < 200; s++) {
            SegmentationSample sc = gen.scene(s, SceneGenerator.Split.SEEN);
            long[] area = sc.areas();
            for (int i = 0; i < sc.segments().size(); i++) {
                Segment seg = sc.segments().get(i);
                assertFalse(unseen.contains(seg.classIndex()), "seed " + s);
                assertTrue(area[i] > 0, "a kept segment is visible");
                if (world.classes().get(seg.classIndex()).thing()) objects++;
            }
            for (int v : sc.segmentMap()) assertTrue(v >= 0 && v < sc.segments().size());
            assertFalse(sc.captions().get(0).isBlank());
        }
        assertTrue(objects > 250, "about two objects per scene");
    }

    @Test
    void captionsNameTheObjectsWithSynonyms() {
        Set<String> colourWords = new HashSet<>();
        for (long s = 0; s < 100; s++) {
            SegmentationSample o = gen.object(world.thingIndex(0, 0), s);
            String cap = o.captions().get(0);
            assertTrue(Arrays.stream(SyntheticWorld.COLOURS.get(0).words()).anyMatch(cap::contains), cap);
            assertTrue(Arrays.stream(SyntheticWorld.SHAPES.get(0).words()).anyMatch(cap::contains), cap);
            for (String w : SyntheticWorld.COLOURS.get(0).words()) if (cap.contains(w)) colourWords.add(w);
        }
        assertEquals(3, colourWords.size(), "every synonym of red is used");
        assertNotEquals(0, gen.object(world.thingIndex(2, 1), 1).areas()[1]);
    }
}
