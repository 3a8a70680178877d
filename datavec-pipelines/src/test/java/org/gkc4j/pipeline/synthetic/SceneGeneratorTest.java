package org.gkc4j.pipeline.synthetic;

import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SceneGeneratorTest {
    private final SyntheticWorld world = new SyntheticWorld();
    private final SceneGenerator gen = new SceneGenerator(world, 64);

    @Test
    void everyWorldHasSeenAndUnseenCompositions() {
        for (SyntheticWorld.Layout layout : SyntheticWorld.LAYOUTS) {
            SyntheticWorld w = SyntheticWorld.named(layout.name());
            int things = SyntheticWorld.COLOURS.size() * layout.variants().size();
            assertEquals(things + SyntheticWorld.STUFF.size(), w.classes().size(), layout.name());
            assertEquals(5, w.unseen().size());
            for (int u : w.unseen()) {
                SyntheticWorld.ClassInfo c = w.classes().get(u);
                assertTrue(c.thing());
                assertTrue(w.classes().stream().anyMatch(o -> o.seen() && o.colour() == c.colour()), "colour of " + c.name() + " is seen elsewhere");
                assertTrue(w.classes().stream().anyMatch(o -> o.seen() && o.variant() == c.variant()), "variant of " + c.name() + " is seen elsewhere");
            }
        }
        assertEquals("red circle", world.classNames().get(0));
        assertTrue(world.synonymTable().get("red circle").contains("crimson disc"));
        SyntheticWorld tones = SyntheticWorld.named("tones");
        assertEquals(List.of("dark red", "bright red", "pale red"), tones.classNames().subList(0, 3));
        assertTrue(tones.synonymTable().get("pale red").contains("light crimson"));
        assertEquals(21, world.classes().size(), "the default world has three shapes");
        assertEquals(List.of("red triangle", "green ring", "blue circle", "yellow triangle", "purple ring"),
                world.unseen().stream().map(i -> world.classNames().get(i)).toList());
    }

    @Test
    void unknownWorldNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SyntheticWorld.named("five-shapes"));
        assertTrue(e.getMessage().contains("five-shapes") && e.getMessage().contains("three-shapes, four-shapes, tones"), e.getMessage());
    }

    /**
     * Worlds keep their cache keys only while they render as before, so each is pinned by a hash of 20 scenes (pixels,
     * labels, segment classes, caption) and 20 single objects, computed with the generator the key was made by: the
     * four-shape world with the version-2 generator (commit c8c026b), the three-shape world with the generator before
     * things' second attribute became a variant (commit 18450cc).
     */
    @Test
    void worldsRenderAsWhenTheirCacheKeysWereMade() {
        assertEquals(3193311097192549818L, renderHash("four-shapes"));
        assertEquals(-6536125769056695148L, renderHash("three-shapes"));
    }

    private static long renderHash(String worldName) {
        SceneGenerator g = new SceneGenerator(SyntheticWorld.named(worldName), 64);
        long h = 1125899906842597L;
        for (int i = 0; i < 20; i++) {
            SegmentationSample s = g.scene(1000 + i, i % 2 == 0 ? SceneGenerator.Split.ALL : SceneGenerator.Split.SEEN);
            h = 31 * h + Arrays.hashCode(s.image().data());
            h = 31 * h + Arrays.hashCode(s.segmentMap());
            for (Segment seg : s.segments()) {
                h = 31 * h + seg.classIndex();
            }
            h = 31 * h + s.captions().get(0).hashCode();
            SegmentationSample o = g.object(i % 15, 77 + i);
            h = 31 * h + Arrays.hashCode(o.image().data()) + o.captions().get(0).hashCode();
        }
        return h;
    }

    @Test
    void shapesAreDrawnByTheirOutline() {
        SyntheticWorld.Outline ring = SyntheticWorld.Outline.RING, square = SyntheticWorld.Outline.SQUARE, tri = SyntheticWorld.Outline.TRIANGLE;
        assertFalse(ring.inside(0, 0), "a ring has a hole");
        assertTrue(ring.inside(0.8, 0));
        assertTrue(square.inside(0.75, 0.75));
        assertFalse(SyntheticWorld.Outline.CIRCLE.inside(0.75, 0.75));
        assertTrue(tri.inside(0, 0.9) ^ tri.inside(0, -0.9), "a triangle's vertex points one way");
        assertFalse(tri.inside(0, 0.6) && tri.inside(0, -0.6));
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
            assertTrue(Arrays.stream(world.variants().get(0).words()).anyMatch(cap::contains), cap);
            for (String w : SyntheticWorld.COLOURS.get(0).words()) if (cap.contains(w)) colourWords.add(w);
        }
        assertEquals(3, colourWords.size(), "every synonym of red is used");
        assertNotEquals(0, gen.object(world.thingIndex(2, 1), 1).areas()[1]);
    }

    /** Tones: a dark object is darker than a bright one of its colour, a pale one lighter; any outline; named in captions. */
    @Test
    void tonesAreDrawnDarkerOrLighterInAnyOutline() {
        SyntheticWorld tones = SyntheticWorld.named("tones");
        SceneGenerator g = new SceneGenerator(tones, 64);
        double[] brightness = new double[3];
        Set<String> nouns = new HashSet<>();
        for (int variant = 0; variant < 3; variant++) {
            int cls = tones.thingIndex(2, variant);   // blue
            for (long seed = 0; seed < 30; seed++) {
                SegmentationSample o = g.object(cls, seed);
                double sum = 0;
                int count = 0;
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        if (o.segmentMap()[y * 64 + x] == 1) {
                            sum += o.image().get(x, y, 0) + o.image().get(x, y, 1) + o.image().get(x, y, 2);
                            count++;
                        }
                    }
                }
                brightness[variant] += sum / count / 30;
                String cap = o.captions().get(0);
                assertTrue(cap.contains(" " + tones.variants().get(variant).words()[0] + " ") || Arrays.stream(tones.variants().get(variant).words()).anyMatch(w -> cap.contains(w + " ")), cap);
                for (String noun : List.of("circle", "disc", "round", "triangle", "wedge", "pyramid", "ring", "hoop", "donut")) {
                    if (cap.endsWith(" " + noun)) {
                        nouns.add(noun);
                    }
                }
            }
        }
        assertTrue(brightness[0] < 0.6 * brightness[1] && brightness[2] > 1.3 * brightness[1], Arrays.toString(brightness));
        assertTrue(nouns.size() >= 6, "tones come in every outline and captions name it: " + nouns);
    }
}
