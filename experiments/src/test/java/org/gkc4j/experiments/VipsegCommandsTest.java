package org.gkc4j.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import org.gkc4j.config.Configs;
import org.gkc4j.train.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train-video} and {@code eval --dataset vipseg} end to end on the shared VIPSeg sample with the tiny network
 * of the other command tests: an image run (one step), a video run from it (one step, then resumed to two), both
 * evaluated; and the bad inputs a user can give, each one line and a non-zero exit.
 */
class VipsegCommandsTest {
    @TempDir
    static Path dir;
    static Path root, imageRun;

    @BeforeAll
    static void imageRunAndRoot() throws Exception {
        root = VipsegSampleRoot.make(dir.resolve("VIPSeg_720P"));
        imageRun = dir.resolve("image");
        List<String> tiny = new ArrayList<>(TinyRuns.overrides(dir.resolve("cache"), 1));
        tiny.addAll(List.of("diversification.enabled=false", "distillation.enabled=false"));   // the plain segmentation recipe: no synonym or teacher pass
        // the training alone (no evaluation on the synthetic world): the weights and their recorded run config are what eval reads
        TrainingRun.train(Configs.load(RunConfig.class, RunConfig.defaults(), Path.of("../configs/demo.yaml"), tiny), imageRun, false, null);
    }

    private static String[] trainVideo(Path out, int iterations, String... more) {
        List<String> a = new ArrayList<>(List.of("train-video", "--config", "../configs/vipseg.yaml", "--out", out.toString(),
                "--set", "init=" + imageRun, "--set", "data.root=" + root, "--set", "data.imageSize=32", "--set", "data.trainFrames=2",
                "--set", "data.clipLength=2", "--set", "train.batchSize=1", "--set", "train.iterations=" + iterations, "--set", "train.checkpointEvery=1",
                "--set", "train.warmupIters=0", "--set", "criterion.points=64", "--set", "criterion.maxTargetsPerImage=4"));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    @Test
    void trainVideoResumesAndBothKindsOfRunAreEvaluated() throws Exception {
        Path video = dir.resolve("video");
        StringWriter err = new StringWriter();
        assertEquals(0, TinyRuns.run(err, trainVideo(video, 1)), err.toString());
        List<String> first = Files.readAllLines(video.resolve(TrainingRun.METRICS_LOG));
        assertEquals(1, first.size());
        StringWriter resumed = new StringWriter();
        assertEquals(0, TinyRuns.run(resumed, trainVideo(video, 2, "--resume")), resumed.toString());
        // continued, not restarted: the first step's line (with its timing) is kept as it was
        assertEquals(first.get(0), Files.readAllLines(video.resolve(TrainingRun.METRICS_LOG)).get(0));
        List<java.util.Map<String, Object>> log = TrainingRun.readLog(video.resolve(TrainingRun.METRICS_LOG));
        assertEquals(List.of(0, 1), log.stream().map(l -> ((Number) l.get("step")).intValue()).toList());
        assertEquals("2", Checkpoint.metadata(video.resolve(TrainingRun.CHECKPOINT)).get("step"));
        assertTrue(VideoLabeller.isVideoRun(video), "the weights record the video config");
        assertFalse(VideoLabeller.isVideoRun(imageRun));
        assertTrue(Files.exists(video.resolve("config.yaml")) && Files.exists(video.resolve("provenance.json")));

        for (Path run : List.of(imageRun, video)) {
            Path out = dir.resolve("eval-" + run.getFileName());
            assertEquals(0, TinyRuns.run(err, "eval", "--checkpoint", run.toString(), "--dataset", "vipseg", "--root", dir.toString(),
                    "--size", "32", "--limit", "1", "--out", out.toString()), err.toString());
            JsonNode m = Configs.JSON.readTree(out.resolve(VipsegEvaluation.METRICS).toFile());
            for (String k : List.of("mIoU", "pAcc", "mIoU_base", "hIoU", "mVC8", "mVC16")) {
                assertTrue(m.get("all_124").has(k), k);
            }
            for (String k : List.of("mIoU_seen", "mIoU_unseen", "hIoU")) {
                assertTrue(m.get("paper").has(k), k);
            }
            assertTrue(Double.isFinite(m.get("all_124").get("mIoU").asDouble()) && Double.isFinite(m.get("paper").get("mIoU_seen").asDouble()));
            assertEquals(1, m.get("videos").asInt());
            String results = Files.readString(out.resolve(VipsegEvaluation.RESULTS));
            assertTrue(results.contains(run == video ? "clips of 2 frames" : "frame by frame"), results);
            String config = Files.readString(out.resolve(VipsegEvaluation.CONFIG));
            assertTrue(config.contains("split: \"val\"") || config.contains("split: val"), config);
            assertEquals(run == video, config.contains("clipLength"), config);
            assertTrue(Files.exists(out.resolve(VipsegEvaluation.PROVENANCE)));
        }
    }

    /** Exit code non-zero, and stderr one line holding {@code want}, no stack trace. */
    private static void refused(String want, String... args) {
        StringWriter err = new StringWriter();
        int code = TinyRuns.run(err, args);
        String e = err.toString().strip();
        assertNotEquals(0, code, e);
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.contains(want), e);
    }

    @Test
    void badInputsEndInOneLine() {
        String out = dir.resolve("bad").toString();
        refused("--root is required", "eval", "--checkpoint", imageRun.toString(), "--dataset", "vipseg", "--out", out);
        refused("no VIPSeg val annotations", "eval", "--checkpoint", imageRun.toString(), "--dataset", "vipseg", "--root", dir.resolve("nowhere").toString(), "--out", out);
        refused("unknown VIPSeg split 'dev'", "eval", "--checkpoint", imageRun.toString(), "--dataset", "vipseg", "--root", root.toString(), "--split", "dev", "--out", out);
        refused("takes none of --novel", "eval", "--checkpoint", imageRun.toString(), "--dataset", "vipseg", "--root", root.toString(), "--novel", "1", "--out", out);
        refused("checkpoint not found", "eval", "--checkpoint", dir.resolve("none").toString(), "--dataset", "vipseg", "--root", root.toString(), "--out", out);
        refused("is not a video run's checkpoint", trainVideo(imageRun, 1, "--resume"));
        refused("init is required", "train-video", "--config", "../configs/vipseg.yaml", "--set", "data.root=" + root, "--out", out);
        refused("data.root is required", "train-video", "--config", "../configs/vipseg.yaml", "--set", "init=" + imageRun, "--out", out);
        refused("data.variant must be", "train-video", "--config", "../configs/vipseg.yaml", "--set", "init=" + imageRun, "--set", "data.root=" + root,
                "--set", "data.variant=base_keep", "--out", out);
    }
}
