package org.gkc4j.pipeline.synthetic;

import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VideoSceneGeneratorTest {
    private final SyntheticWorld world = new SyntheticWorld();
    private final VideoSceneGenerator gen = new VideoSceneGenerator(world, 64);

    @Test
    void aSeedGivesTheSameVideo() {
        VideoSceneGenerator.Video a = gen.video(7, 6, SceneGenerator.Split.ALL), b = new VideoSceneGenerator(world, 64).video(7, 6, SceneGenerator.Split.ALL);
        for (int t = 0; t < 6; t++) {
            assertArrayEquals(a.frames().get(t).segmentMap(), b.frames().get(t).segmentMap());
            assertArrayEquals(a.frames().get(t).image().data(), b.frames().get(t).image().data());
            assertEquals(a.frames().get(t).segments(), b.frames().get(t).segments());
        }
        assertTrue(!Arrays.equals(a.frames().get(0).image().data(), gen.video(8, 1, SceneGenerator.Split.ALL).frames().get(0).image().data()));
    }

    /**
     * Over 40 videos of 16 frames: a segment id names one class in every frame (ids are tracks); maps index listed
     * segments and every listed segment shows; seen-only videos hold seen classes only; things move (some frame's map differs
     * from the first), and in some videos, not all, objects enter or leave (a track absent from one end of the video
     * and present at the other).
     */
    @Test
    void tracksKeepTheirClassAndTheWorldMoves() {
        Set<Integer> seen = new HashSet<>(world.seen());
        int moving = 0, enterOrLeave = 0, videos = 40;
        for (long seed = 0; seed < videos; seed++) {
            for (SceneGenerator.Split split : SceneGenerator.Split.values()) {
                VideoSceneGenerator.Video v = gen.video(1000 + seed, 16, split);
                assertEquals(16, v.frames().size());
                Map<Long, Integer> classOf = new HashMap<>();
                Set<Long> first = ids(v.frames().get(0)), last = ids(v.frames().get(15));
                for (SegmentationSample f : v.frames()) {
                    long[] area = f.areas();
                    for (int s = 0; s < f.segments().size(); s++) {
                        Segment seg = f.segments().get(s);
                        Integer before = classOf.putIfAbsent(seg.id(), seg.classIndex());
                        assertTrue(before == null || before == seg.classIndex(), "track " + seg.id() + " changed class");
                        assertTrue(area[s] > 0, "listed segment without pixels");
                        if (split == SceneGenerator.Split.SEEN) {
                            assertTrue(seen.contains(seg.classIndex()), "unseen class in a seen-only video");
                        }
                    }
                    for (int m : f.segmentMap()) {
                        assertTrue(m >= 0 && m < f.segments().size(), "map value " + m);
                    }
                }
                if (split == SceneGenerator.Split.ALL) {
                    final VideoSceneGenerator.Video video = v;
                    if (v.frames().stream().anyMatch(f -> !Arrays.equals(f.segmentMap(), video.frames().get(0).segmentMap()))) {
                        moving++;
                    }
                    if (!first.containsAll(last) || !last.containsAll(first)) {
                        enterOrLeave++;
                    }
                }
            }
        }
        assertEquals(videos, moving, "every video moves");
        assertTrue(enterOrLeave >= 5 && enterOrLeave < videos, enterOrLeave + " of " + videos + " videos have a track entering or leaving");
    }

    /**
     * Objects pass in front of each other in a fixed depth order: in some videos an object's visible pixels are
     * fewer than its own (a nearer object covers part of it), and the nearest object is never covered.
     */
    @Test
    void nearerObjectsCoverFartherOnes() {
        int videos = 0;
        for (long seed = 0; seed < 40; seed++) {
            VideoSceneGenerator.Video v = gen.video(2000 + seed, 12, SceneGenerator.Split.ALL);
            boolean covered = false;
            for (int t = 0; t < 12; t++) {
                SegmentationSample f = v.frames().get(t);
                long[] area = f.areas();
                long[] own = v.objectPixels()[t];
                for (int i = 0; i < own.length; i++) {
                    long visible = 0;
                    for (int s = 0; s < area.length; s++) {
                        if (f.segments().get(s).id() == 3 + i) {
                            visible = area[s];
                        }
                    }
                    assertTrue(visible <= own[i]);
                    if (i == own.length - 1) {
                        assertEquals(own[i], visible, "the nearest object is never covered");
                    }
                    covered |= visible < own[i];
                }
            }
            videos += covered ? 1 : 0;
        }
        assertTrue(videos >= 5, "objects covered in only " + videos + " of 40 videos");
    }

    private static Set<Long> ids(SegmentationSample f) {
        Set<Long> out = new HashSet<>();
        for (Segment s : f.segments()) {
            out.add(s.id());
        }
        return out;
    }
}
