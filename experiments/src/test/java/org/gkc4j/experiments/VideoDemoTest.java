package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.data.ImageTargets;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.synthetic.SyntheticWorld;
import org.gkc4j.pipeline.synthetic.VideoSceneGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VideoDemoTest {
    /** A 2x2 frame whose pixels carry segment ids (0 = void); classes by id. */
    private static SegmentationSample frame(long[] idsOfPixels, int[] classOfId) {
        List<Segment> segs = new java.util.ArrayList<>();
        int[] map = new int[4];
        for (int p = 0; p < 4; p++) {
            long id = idsOfPixels[p];
            if (id == 0) {
                map[p] = SegmentationSample.VOID;
                continue;
            }
            int idx = -1;
            for (int s = 0; s < segs.size(); s++) {
                if (segs.get(s).id() == id) {
                    idx = s;
                }
            }
            if (idx < 0) {
                idx = segs.size();
                segs.add(new Segment(id, classOfId[(int) id], false));
            }
            map[p] = idx;
        }
        return new SegmentationSample("f", RgbImage.blank(2, 2), map, segs, List.of());
    }

    /**
     * Two frames: track 1 (class 0) fills the left column in frame 0 and the top row in frame 1; track 2 (class 5,
     * unseen: no training label) one pixel; track 3 (class 2) enters in frame 1. Targets are tracks, largest first,
     * with masks stacked frame under frame; the unseen track is dropped, and {@code max} 1 keeps the largest.
     */
    @Test
    void clipTargetsAreTracksStackedOverFrames() {
        int[] classOfId = {-1, 0, 5, 2};
        int[] toTrain = {0, -1, 1, -1, -1, -1};   // world classes 0 and 2 train as 0 and 1; 5 is unseen
        SegmentationSample f0 = frame(new long[]{1, 2, 1, 0}, classOfId), f1 = frame(new long[]{1, 1, 3, 0}, classOfId);
        ImageTargets t = ClipBatches.trackTargets(List.of(f0, f1), toTrain, 8);
        assertArrayEquals(new int[]{0, 1}, t.labels());
        assertArrayEquals(new long[]{2, 4, 2}, t.masks().shape());
        assertArrayEquals(new float[]{1, 0, 1, 0, 1, 1, 0, 0}, t.masks().get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).dup('c').data().asFloat());
        assertArrayEquals(new float[]{0, 0, 0, 0, 0, 0, 1, 0}, t.masks().get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)).dup('c').data().asFloat());
        ImageTargets one = ClipBatches.trackTargets(List.of(f0, f1), toTrain, 1);
        assertArrayEquals(new int[]{0}, one.labels());
    }

    @Test
    void aBatchHoldsClipsOfConsecutiveFramesOfSeenOnlyVideos() {
        VideoDemoConfig cfg = VideoDemoConfig.defaults();
        SyntheticWorld world = new SyntheticWorld();
        int[] toTrain = new int[world.classes().size()];
        java.util.Arrays.fill(toTrain, -1);
        List<Integer> seen = world.seen();
        for (int i = 0; i < seen.size(); i++) {
            toTrain[seen.get(i)] = i;
        }
        TrainingBatch b = VideoDemo.clipBatch(new VideoSceneGenerator(world, 64), cfg, toTrain, new SplittableRandom(3));
        int t = cfg.videos().trainFrames();
        assertEquals(t, b.frames());
        assertArrayEquals(new long[]{(long) cfg.train().batchSize() * t, 3, 64, 64}, b.images().shape());
        for (ImageTargets target : b.targets()) {
            assertEquals(t * 64L, target.masks().size(1));
            assertTrue(target.count() > 0);
        }
        TrainingBatch again = VideoDemo.clipBatch(new VideoSceneGenerator(world, 64), cfg, toTrain, new SplittableRandom(3));
        assertEquals(b.images(), again.images(), "one seed, one batch");
    }

    @Test
    void withoutAnImageRunTheDemoSaysWhichCommandMakesIt(@TempDir Path dir) {
        VideoDemoConfig cfg = Configs.load(VideoDemoConfig.class, VideoDemoConfig.defaults(), Path.of("../configs/demo-video.yaml"),
                List.of("imageRun=" + dir.resolve("none")));
        GkcException e = assertThrows(GkcException.class, () -> VideoDemo.run(cfg, dir.resolve("out"), false));
        assertTrue(e.getMessage().contains("./gkc demo --out " + dir.resolve("none")), e.getMessage());
    }

    @Test
    void theDemoConfigLoadsAndRefusesUnknownKeys() {
        VideoDemoConfig cfg = Configs.load(VideoDemoConfig.class, VideoDemoConfig.defaults(), Path.of("../configs/demo-video.yaml"), List.of());
        assertEquals(VideoDemoConfig.defaults(), cfg, "the YAML states the defaults");
        assertThrows(RuntimeException.class, () -> Configs.load(VideoDemoConfig.class, VideoDemoConfig.defaults(),
                Path.of("../configs/demo-video.yaml"), List.of("videos.framez=3")));
        VideoDemoConfig uniform = Configs.load(VideoDemoConfig.class, VideoDemoConfig.defaults(), Path.of("../configs/demo-video.yaml"),
                List.of("stitching.classVote=uniform"));
        assertEquals(org.gkc4j.model.TrackClassVote.UNIFORM, uniform.stitching().classVote());
        assertThrows(RuntimeException.class, () -> Configs.load(VideoDemoConfig.class, VideoDemoConfig.defaults(),
                Path.of("../configs/demo-video.yaml"), List.of("stitching.classVote=majority")));
    }
}
