package org.gkc4j.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import org.gkc4j.config.Configs;
import org.gkc4j.data.ImageTargets;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.TrackEnricher;
import org.gkc4j.pipeline.teacher.TeacherFeatureStore;
import org.gkc4j.pipeline.text.SynonymScores;
import org.gkc4j.pipeline.text.TextDiversification;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.datasets.VipsegDataset;
import org.gkc4j.pipeline.datasets.VipsegIndex;
import org.gkc4j.train.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train-video} and {@code eval --dataset vipseg} end to end on the shared VIPSeg sample with the tiny network
 * of the other command tests: an image run (one step), a video run from it with text diversification and distillation
 * per track (one step, then resumed to two), both evaluated; the per-track targets of VIPSeg clips against figures
 * recomputed from the per-frame caches; and the bad inputs a user can give, each one line and a non-zero exit.
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

    /** The tiny video run's settings over configs/vipseg.yaml (both text contributions on, as there). */
    private static List<String> settings(int iterations) {
        return List.of("init=" + imageRun, "data.root=" + root, "data.imageSize=32", "data.trainFrames=2", "data.clipLength=2", "train.batchSize=1",
                "train.iterations=" + iterations, "train.checkpointEvery=1", "train.warmupIters=0", "criterion.points=64", "criterion.maxTargetsPerImage=4",
                "diversification.overrides=../configs/synonyms/vipseg-124-overrides.json");   // the recipe's file, from this module's folder
    }

    private static String[] trainVideo(Path out, int iterations, String... more) {
        List<String> a = new ArrayList<>(List.of(TinyRuns.withOverrides(settings(iterations), "train-video", "--config", "../configs/vipseg.yaml",
                "--out", out.toString())));
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
        Map<Path, java.nio.file.attribute.FileTime> caches = vipsegCaches();
        assertTrue(caches.keySet().stream().anyMatch(p -> p.toString().contains("synonym-scores-vipseg"))
                && caches.keySet().stream().anyMatch(p -> p.toString().contains("teacher-global-vipseg")), caches.toString());
        StringWriter resumed = new StringWriter();
        assertEquals(0, TinyRuns.run(resumed, trainVideo(video, 2, "--resume")), resumed.toString());
        assertEquals(caches, vipsegCaches(), "the resumed run reads the caches as they were, computing nothing again");
        // continued, not restarted: the first step's line (with its timing) is kept as it was
        assertEquals(first.get(0), Files.readAllLines(video.resolve(TrainingRun.METRICS_LOG)).get(0));
        List<java.util.Map<String, Object>> log = TrainingRun.readLog(video.resolve(TrainingRun.METRICS_LOG));
        assertEquals(List.of(0, 1), log.stream().map(l -> ((Number) l.get("step")).intValue()).toList());
        for (java.util.Map<String, Object> row : log) {
            for (String k : List.of("loss_syn", "loss_kd", "loss_mask", "loss_ce")) {
                assertTrue(row.containsKey(k) && Double.isFinite(((Number) row.get(k)).doubleValue()), k + " in " + row);
            }
        }
        assertTrue(Files.isRegularFile(video.resolve(TrainingRun.TEACHER_REPORT)), "the teacher report of VIPSeg's training frames");
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

    /**
     * VIPSeg clips as training draws them carry per-track targets: for every track of a clip (found from its target
     * mask), its teacher feature is the normalised mean of the unit teacher features of the frames whose crop shows it
     * (recomputed here from the per-frame cache), and its one name for the clip is its class name or a synonym whose
     * plausibility averaged over those frames passes the threshold. The tiny CLIP's features of noise crops are
     * nearly alike (norms equal to 1e-4), so the same draws are checked again with per-frame teacher features and
     * plausibilities made up here (random directions, norms 1 to 4; random plausibilities), keyed by the same frames.
     */
    @Test
    void vipsegClipsCarryOneSynonymAndOneTeacherFeaturePerTrack() throws Exception {
        VideoRunConfig cfg = Configs.load(VideoRunConfig.class, VideoRunConfig.defaults(), Path.of("../configs/vipseg.yaml"), settings(1));
        assertTrue(cfg.diversification().enabled() && cfg.distillation().enabled(), "the recipe trains with both");
        RunConfig image = TrainedModel.load(imageRun).config();
        RunConfig run = VideoTrainingSetup.runConfig(image, VipsegTraining.clipSettings(cfg, image), cfg.criterion(), cfg.diversification(), cfg.distillation());
        VipsegDataset data = VipsegDataset.vipseg720p(root, "train", cfg.data().vipsegVariant(), LoadOptions.skipDamaged(), LoadReport.quiet());
        VideoTrainingSetup setup = VipsegTraining.setup(run, data, root, ClipResources.open(run), null, Files.createDirectories(dir.resolve("enrich")));
        int[] counts = checkTracks(cfg, data, setup);
        // the draws hold tracks missing from a frame of their clip and tracks averaged over two frames
        assertTrue(counts[0] > 10 && counts[1] > 0 && counts[2] > 0, counts[0] + " tracks, " + counts[1] + " partly shown, " + counts[2] + " averaged");

        SplittableRandom rng = new SplittableRandom(11);
        TeacherFeatureStore teacher = TeacherFeatureStore.empty();
        SynonymScores scores = SynonymScores.empty();
        Map<String, List<String>> synonyms = new HashMap<>();
        for (VipsegIndex.Video v : data.videos()) {
            for (VipsegIndex.Frame f : v.frames()) {
                SegmentationSample s = data.frame(v.id(), f.panopticFile(), LoadOptions.skipDamaged(), LoadReport.quiet()).sample();
                long[] ids = s.segments().stream().mapToLong(g -> g.id()).toArray();
                double[][] rows = new double[ids.length][setup.teacher().dim()];
                for (int k = 0; k < ids.length; k++) {
                    double scale = 1 + 3 * rng.nextDouble();
                    for (int i = 0; i < rows[k].length; i++) {
                        rows[k][i] = scale * rng.nextGaussian();
                    }
                    List<String> candidates = new ArrayList<>(setup.scores().of(s.id(), ids[k]).keySet());
                    if (!candidates.isEmpty()) {
                        synonyms.put(data.classNames().get(s.segments().get(k).classIndex()), candidates);
                    }
                    Map<String, Double> p = new HashMap<>();
                    candidates.forEach(c -> p.put(c, rng.nextDouble()));
                    double total = p.values().stream().mapToDouble(Double::doubleValue).sum();
                    p.replaceAll((c, x) -> x / total);
                    scores.put(s.id(), ids[k], p);
                }
                teacher.put(s.id(), ids, Nd4j.createFromArray(rows).castTo(DataType.FLOAT));
            }
        }
        TrackEnricher tracks = new TrackEnricher(new TextDiversification(data.classNames(), synonyms, scores, cfg.diversification().toSampler()), scores, teacher);
        int[] made = checkTracks(cfg, data, new VideoTrainingSetup(tracks, scores, teacher, setup.terms()));
        assertEquals(counts[0], made[0], "the same draws");
    }

    /** Checks the tracks of the first clips drawn with {@code setup}; returns the tracks checked, partly shown and averaged. */
    private static int[] checkTracks(VideoRunConfig cfg, VipsegDataset data, VideoTrainingSetup setup) {
        int tracks = 0, partial = 0, averaged = 0;
        for (int step = 0; step < 12; step++) {
            VipsegTraining.Draw d = VipsegTraining.draw(cfg, data, data.videos(), setup, VipsegTraining.trainLabels(data), step, 0);
            List<SegmentationSample> clip = d.clips().get(0);
            ImageTargets t = d.batch().targets().get(0);
            assertTrue(t.teacherFeatures() != null && t.vocabulary() != null, "the clip's targets are enriched");
            for (int k = 0; k < t.count(); k++) {
                long id = track(clip, t.masks().get(NDArrayIndex.point(k)));
                double[] sum = new double[setup.teacher().dim()];
                Map<String, Double> plausibility = new HashMap<>();
                int shown = 0;
                for (SegmentationSample f : clip) {
                    if (pixels(f, id) == 0) {
                        continue;
                    }
                    shown++;
                    double[] row = setup.teacher().get(f.id(), id).castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
                    double norm = Math.sqrt(Arrays.stream(row).map(x -> x * x).sum());
                    for (int i = 0; i < row.length; i++) {
                        sum[i] += row[i] / norm;
                    }
                    setup.scores().of(f.id(), id).forEach((name, p) -> plausibility.merge(name, p, Double::sum));
                }
                double norm = Math.sqrt(Arrays.stream(sum).map(x -> x * x).sum());
                double[] want = Arrays.stream(sum).map(x -> x / norm).toArray();
                assertArrayEquals(want, t.teacherFeatures().getRow(k).castTo(DataType.DOUBLE).toDoubleVector(), 1e-6, "teacher of track " + id);
                String className = data.classNames().get(t.labels()[k]), drawn = t.vocabulary().get(t.vocabularyTargets()[k]);
                int frames = shown;
                plausibility.replaceAll((name, p) -> p / frames);
                List<String> passing = plausibility.entrySet().stream().filter(e -> e.getValue() > cfg.diversification().threshold()).map(Map.Entry::getKey).toList();
                if (plausibility.isEmpty()) {
                    assertEquals(className, drawn);
                } else if (passing.isEmpty()) {
                    assertEquals(java.util.Collections.max(plausibility.entrySet(), Map.Entry.comparingByValue()).getKey(), drawn);
                } else {
                    assertTrue(passing.contains(drawn), drawn + " for " + className + ": " + plausibility);
                }
                tracks++;
                partial += shown < clip.size() ? 1 : 0;
                averaged += shown > 1 ? 1 : 0;
            }
        }
        return new int[]{tracks, partial, averaged};
    }

    /** The segment id whose pixels are exactly the target mask [T*h, w] (frames stacked), found from its first pixel. */
    private static long track(List<SegmentationSample> clip, INDArray mask) {
        int h = clip.get(0).height(), w = clip.get(0).width();
        long id = -1;
        for (int f = 0; f < clip.size(); f++) {
            SegmentationSample s = clip.get(f);
            for (int p = 0; p < h * w; p++) {
                if (mask.getDouble(f * h + p / w, p % w) > 0.5 && id < 0) {
                    id = s.segments().get(s.segmentMap()[p]).id();
                }
            }
        }
        for (int f = 0; f < clip.size(); f++) {
            SegmentationSample s = clip.get(f);
            for (int p = 0; p < h * w; p++) {
                boolean in = s.segmentMap()[p] >= 0 && s.segments().get(s.segmentMap()[p]).id() == id;
                assertEquals(in, mask.getDouble(f * h + p / w, p % w) > 0.5, "a target mask is one track's pixels");
            }
        }
        return id;
    }

    private static int pixels(SegmentationSample f, long id) {
        int n = 0;
        for (int v : f.segmentMap()) {
            n += v >= 0 && f.segments().get(v).id() == id ? 1 : 0;
        }
        return n;
    }

    /** Every file of the VIPSeg frames' caches with its modification time. */
    private static Map<Path, java.nio.file.attribute.FileTime> vipsegCaches() throws java.io.IOException {
        Map<Path, java.nio.file.attribute.FileTime> m = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> files = Files.walk(dir.resolve("cache"))) {
            for (Path p : files.filter(Files::isRegularFile).filter(p -> p.toString().contains("vipseg")).toList()) {
                m.put(p, Files.getLastModifiedTime(p));
            }
        }
        return m;
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
        // distillation's teacher is the image run's CLIP image tower: a CLIP that is not there stops the run before anything is written
        refused("clip.weights: file not found", trainVideo(dir.resolve("bad-clip"), 1, "--set", "clip.weights=" + dir.resolve("RN50.pt")));
        assertFalse(Files.exists(dir.resolve("bad-clip")));
        refused("clip.merges: file not found", trainVideo(dir.resolve("bad-clip"), 1, "--set", "clip.merges=" + dir.resolve("vocab.txt.gz")));
        // the tiny CLIP's layer4 has 512 channels, the tiny network's query embeddings 32: refused before anything is written
        refused("the network's query embeddings have width 32 but the teacher's CLIP image features (distillation.target res5_pooled) have width 512",
                trainVideo(dir.resolve("bad-student"), 1, "--set", "distillation.student=direct", "--set", "distillation.target=res5_pooled"));
        assertFalse(Files.exists(dir.resolve("bad-student")));
    }
}
