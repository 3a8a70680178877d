package org.gkc4j.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import org.gkc4j.config.Configs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code gkc demo video} in a short form with text diversification and distillation on: a one-step image demo (the
 * shared tiny CLIP), then two video training steps on clips of two frames, whose log carries the synonym and
 * distillation losses, and the evaluation.
 */
class VideoDemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void theVideoDemoTrainsWithDiversificationAndDistillationPerTrack() throws Exception {
        String home = System.getProperty("gkc.home");
        System.setProperty("gkc.home", "..");
        Path image = dir.resolve("demo"), video = dir.resolve("video");
        try {
            StringWriter err = new StringWriter();
            assertEquals(0, TinyRuns.run(err, TinyRuns.withOverrides(TinyRuns.overrides(dir.resolve("cache"), 1), "demo", "--out", image.toString())), err.toString());
            List<String> small = List.of("imageRun=" + image, "videos.frames=5", "videos.trainVideos=2", "videos.evalVideos=1", "videos.trainFrames=2",
                    "videos.clipLength=3", "videos.overlap=1", "videos.visualise=1", "train.iterations=2", "train.batchSize=1", "train.checkpointEvery=1",
                    "train.warmupIters=1", "criterion.points=64", "diversification.enabled=true", "distillation.enabled=true");
            err = new StringWriter();
            assertEquals(0, TinyRuns.run(err, TinyRuns.withOverrides(small, "demo", "video", "--out", video.toString())), err.toString());
        } finally {
            if (home == null) {
                System.clearProperty("gkc.home");
            } else {
                System.setProperty("gkc.home", home);
            }
        }
        List<Map<String, Object>> log = TrainingRun.readLog(video.resolve(VideoDemo.LOG));
        assertEquals(2, log.size());
        for (Map<String, Object> row : log) {
            for (String k : List.of("loss_syn", "loss_kd", "loss_mask", "loss_ce")) {
                assertTrue(row.containsKey(k) && Double.isFinite(((Number) row.get(k)).doubleValue()), k + " in " + row);
            }
        }
        JsonNode m = Configs.JSON.readTree(video.resolve(VideoDemo.METRICS).toFile());
        assertTrue(m.get("diversification").asBoolean() && m.get("distillation").asBoolean());
        for (String k : List.of("mIoU_base", "mIoU_novel", "hIoU", "mIoU_base_per_frame")) {
            assertTrue(m.has(k) && Double.isFinite(m.get(k).asDouble()), k);
        }
        assertTrue(Files.isRegularFile(video.resolve(TrainingRun.TEACHER_REPORT)), "the teacher report of the training videos' frames");
    }
}
