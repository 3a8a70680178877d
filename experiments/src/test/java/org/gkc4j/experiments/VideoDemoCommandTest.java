package org.gkc4j.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import org.gkc4j.config.Configs;
import org.gkc4j.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code gkc demo video} in a short form with text diversification and distillation on: a one-step image demo (the
 * shared tiny CLIP), then two video training steps on clips of two frames, whose log carries the synonym and
 * distillation losses, and the evaluation; then a resume of the finished run, which trains nothing and reports the
 * run's training time (the logged steps' seconds), not its own; and a copy of it delivered at image share 1, whose
 * network is the untrained video network: one set of figures under both names.
 */
class VideoDemoCommandTest {
    @TempDir
    Path dir;

    /** Runs the command line; what it prints (System.err, where the progress lines go, and the command's errors) goes to {@code printed}. */
    private static int runPrinting(StringBuilder printed, String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            return TinyRuns.run(err, args);
        } finally {
            System.setErr(old);
            printed.append(bytes.toString(StandardCharsets.UTF_8)).append(err);
        }
    }

    @Test
    void theVideoDemoTrainsWithDiversificationAndDistillationPerTrack() throws Exception {
        String home = System.getProperty("gkc.home");
        System.setProperty("gkc.home", "..");
        Path image = dir.resolve("demo"), video = dir.resolve("video"), imageOnly = dir.resolve("video-image-share-1"),
                startTeacher = dir.resolve("video-start-network-teacher");
        try {
            StringWriter err = new StringWriter();
            assertEquals(0, TinyRuns.run(err, TinyRuns.withOverrides(TinyRuns.overrides(dir.resolve("cache"), 1), "demo", "--out", image.toString())), err.toString());
            List<String> small = List.of("imageRun=" + image, "videos.frames=5", "videos.trainVideos=2", "videos.evalVideos=1", "videos.trainFrames=2",
                    "videos.clipLength=3", "videos.overlap=1", "videos.visualise=1", "train.iterations=2", "train.batchSize=1", "train.checkpointEvery=1",
                    "train.warmupIters=1", "criterion.points=64", "diversification.enabled=true", "distillation.enabled=true",
                    "distillation.target=global", "distillation.space=gap_shifted", "distillation.variant=text_guided",
                    "averaging.imageShares=[0.0, 0.5]", "averaging.validationVideos=1");
            StringBuilder printed = new StringBuilder();
            assertEquals(0, runPrinting(printed, TinyRuns.withOverrides(small, "demo", "video", "--out", video.toString())), printed.toString());
            assertTrue(printed.toString().contains("[frame by frame] [video, untrained] ") && !printed.toString().contains("scored once"),
                    "below share 1 the untrained video network is a network of its own: " + printed);
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
            // a copy of the finished run delivered at image share 1: the image weights, the untrained video network
            try (var files = Files.walk(video)) {
                for (Path f : files.toList()) {
                    Files.copy(f, imageOnly.resolve(video.relativize(f).toString()));
                }
            }
            List<String> shareOne = new ArrayList<>(small);
            shareOne.set(shareOne.indexOf("averaging.imageShares=[0.0, 0.5]"), "averaging.imageShares=[1.0]");
            printed = new StringBuilder();
            assertEquals(0, runPrinting(printed, TinyRuns.withOverrides(shareOne, "demo", "video", "--out", imageOnly.toString(), "--resume")), printed.toString());
            // three networks run, not four: the untrained video network is the delivered one
            assertTrue(printed.toString().contains("evaluating [video model] [frame by frame] [video, fine-tuned only] ([video, untrained] is [video model], scored once) on"),
                    printed.toString());
            // the config's own distillation (the image network as the teacher), no diversification: trains with a kd term
            List<String> ownTeacher = new ArrayList<>(small.stream().filter(s -> !s.startsWith("distillation.")).toList());
            ownTeacher.set(ownTeacher.indexOf("diversification.enabled=true"), "diversification.enabled=false");
            err = new StringWriter();
            assertEquals(0, TinyRuns.run(err, TinyRuns.withOverrides(ownTeacher, "demo", "video", "--out", startTeacher.toString())), err.toString());
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

        // share 1 delivers the image weights; that network is the untrained video network, and both rows carry its figures
        JsonNode one = Configs.JSON.readTree(imageOnly.resolve(VideoDemo.METRICS).toFile());
        assertEquals(1.0, one.get("image_share").asDouble());
        Map<String, INDArray> deliveredOne = Checkpoint.modelWeights(imageOnly.resolve(VideoDemo.WEIGHTS));
        assertEquals(start.keySet(), deliveredOne.keySet());
        for (String k : start.keySet()) {
            assertTrue(start.get(k).equals(deliveredOne.get(k)), k);
        }
        for (String k : List.of("mIoU_base", "mIoU_novel", "hIoU", "mIoU", "pAcc", "mVC8")) {
            assertTrue(one.has(k) && one.has(k + "_video_untrained") && one.has(k + "_per_frame") && one.has(k + "_fine_tuned"), k + " in " + one);
            assertEquals(one.get(k).asDouble(), one.get(k + "_video_untrained").asDouble(), 0.0, k);
        }
        assertTrue(Files.readString(imageOnly.resolve("report.md")).contains("video network on the image weights (no video training), stitched"));

        VideoDemoConfig ran = Configs.load(VideoDemoConfig.class, VideoDemoConfig.defaults(), startTeacher.resolve(VideoDemo.CONFIG), List.of());
        assertEquals(RunConfig.TeacherTarget.START_NETWORK, ran.distillation().target(), "the demo's default teacher is the image network");
        List<Map<String, Object>> ownLog = TrainingRun.readLog(startTeacher.resolve(VideoDemo.LOG));
        assertEquals(2, ownLog.size());
        for (Map<String, Object> row : ownLog) {
            assertTrue(row.containsKey("loss_kd") && Double.isFinite(((Number) row.get("loss_kd")).doubleValue()) && !row.containsKey("loss_syn"), row.toString());
        }
        JsonNode own = Configs.JSON.readTree(startTeacher.resolve(VideoDemo.METRICS).toFile());
        assertTrue(own.get("distillation").asBoolean() && !own.get("diversification").asBoolean(), own.toString());
    }
}
