package org.gkc4j.pipeline;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class RelabeledSourceTest {
    /** A 4x2 scene: segments A (class 0), B (class 2, crowd), C (class 3), D (class 1), plus void pixels. */
    private static SampleSource scene() {
        int[] map = {0, 0, 1, -1,
                     2, 3, 1, 2};
        List<Segment> segments = List.of(new Segment(10, 0, false), new Segment(11, 2, true), new Segment(12, 3, false),
                new Segment(13, 1, false));
        SegmentationSample s = new SegmentationSample("img", RgbImage.blank(4, 2), map, segments, List.of("a caption"));
        return new SampleSource() {
            @Override
            public int size() {
                return 1;
            }

            @Override
            public SegmentationSample get(int index) {
                return s;
            }

            @Override
            public String name() {
                return "scene";
            }
        };
    }

    @Test
    void mapsClassesDropsUnmappedSegmentsAndRenumbersTheMap() {
        // world classes 0..3 -> seen classes: 0 unseen, 1 -> 0, 2 -> 1, 3 unseen
        SampleSource inner = scene();
        RelabeledSource r = new RelabeledSource(inner, new int[]{-1, 0, 1, -1});
        SegmentationSample s = r.get(0);
        // kept in their original order: B (now class 1, still crowd) then D (now class 0), ids unchanged
        assertEquals(List.of(new Segment(11, 1, true), new Segment(13, 0, false)), s.segments());
        // B's pixels point at kept index 0, D's at 1; A's and C's pixels become void, the void pixel stays void
        assertArrayEquals(new int[]{-1, -1, 0, -1,
                                    -1, 1, 0, -1}, s.segmentMap());
        assertArrayEquals(new long[]{2, 1}, s.areas());
        assertEquals("img", s.id());
        assertSame(inner.get(0).image(), s.image());
        assertEquals(List.of("a caption"), s.captions());
        assertEquals(1, r.size());
        assertEquals("scene", r.name());
        // the inner sample is not changed
        assertArrayEquals(new int[]{0, 0, 1, -1, 2, 3, 1, 2}, inner.get(0).segmentMap());
    }

    @Test
    void theMappingArrayIsCopied() {
        int[] mapping = {0, 1, 2, 3};
        RelabeledSource r = new RelabeledSource(scene(), mapping);
        mapping[2] = -1;
        assertEquals(4, r.get(0).segments().size());
        assertArrayEquals(new int[]{0, 0, 1, -1, 2, 3, 1, 2}, r.get(0).segmentMap());
    }
}
