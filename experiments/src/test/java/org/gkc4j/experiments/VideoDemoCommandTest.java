package org.gkc4j.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import org.gkc4j.config.Configs;
import org.gkc4j.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * distillation losses, and the evaluation; then a resume of the finished run, which trains nothing and reports the
 * run's training time (the logged steps' seconds), not its own.
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
                    "train.warmupIters=1", "criterion.points=64", "diversification.enabled=true", "distillation.enabled=true",
                    "averaging.imageShares=[0.0, 0.5]", "averaging.validationVideos=1");
            err = new StringWriter();
            assertEquals(0, TinyRuns.run(err, TinyRuns.withOverrides(small, "demo", "video", "--out", video.toString())), err.toString());
            // the training time is the log's: a resume of the finished run trains nothing and still reports it
            double trained = Configs.JSON.readTree(video.resolve(VideoDemo.METRICS).toFile()).get("train_seconds").asDouble(), logged = 0;
            for (String line : Files.readAllLines(video.resolve(VideoDemo.LOG))) {
                logged += Configs.JSON.readTree(line).get("seconds").asDouble();
            }
            assertTrue(trained > 0, "train_seconds " + trained);
            assertEquals(logged, trained, 1e-9, "the training time is the sum of the logged steps' seconds");
            err = new StringWriter();
            assertEquals(0, TinyRuns.run(err, TinyRuns.withOverrides(small, "demo", "video", "--out", video.toString(), "--resume")), err.toString());
            assertEquals(trained, Configs.JSON.readTree(video.resolve(VideoDemo.METRICS).toFile()).get("train_seconds").asDouble(), 1e-9,
                    "the resumed run reports the run's training time, not its own (none)");
            String report = Files.readString(video.resolve("report.md"));
            assertTrue(report.contains(String.format(java.util.Locale.ROOT, "Training: %.0f s.", trained)), report);
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

        // the share chosen is the candidate with the best validation harmonic mIoU, and the delivered weights are that mix
        JsonNode choice = Configs.JSON.readTree(video.resolve(VideoDemo.AVERAGING).toFile());
        assertEquals(2, choice.get("candidates").size());
        double share = m.get("image_share").asDouble(), best = Double.NEGATIVE_INFINITY;
        for (JsonNode c : choice.get("candidates")) {
            best = Math.max(best, c.get("hIoU").asDouble());
        }
        for (JsonNode c : choice.get("candidates")) {
            if (c.get("image_share").asDouble() == share) {
                assertEquals(best, c.get("hIoU").asDouble(), "the chosen share has the best validation harmonic mIoU: " + choice);
            }
        }
        assertEquals(share, choice.get("chosen_image_share").asDouble());
        Map<String, INDArray> start = Checkpoint.modelWeights(image.resolve(TrainingRun.WEIGHTS)),
                tuned = Checkpoint.modelWeights(video.resolve(VideoDemo.CHECKPOINT)), delivered = Checkpoint.modelWeights(video.resolve(VideoDemo.WEIGHTS));
        assertEquals(tuned.keySet(), delivered.keySet());
        int moved = 0;
        for (String k : delivered.keySet()) {
            INDArray want = tuned.get(k).castTo(DataType.DOUBLE).mul(1 - share).addi(start.get(k).castTo(DataType.DOUBLE).mul(share));
            assertTrue(want.equalsWithEps(delivered.get(k).castTo(DataType.DOUBLE), 1e-6), k);
            moved += tuned.get(k).equals(start.get(k)) ? 0 : 1;
        }
        assertTrue(moved > 10, "fine-tuning moved the weights (" + moved + " tensors), so a mix is not trivially either");
        if (share > 0) {
            assertTrue(m.has("mIoU_base_fine_tuned"), "the fine-tuned weights alone are scored beside the mix");
        }
        for (String k : List.of("mIoU_base_video_untrained", "mIoU_novel_video_untrained")) {
            assertTrue(m.has(k) && Double.isFinite(m.get(k).asDouble()), k);
        }
    }
}
