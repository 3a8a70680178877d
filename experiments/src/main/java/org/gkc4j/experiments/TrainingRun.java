package org.gkc4j.experiments;

import com.fasterxml.jackson.core.type.TypeReference;
import org.gkc4j.GkcException;
import org.gkc4j.clip.ClipConfig;
import org.gkc4j.clip.ClipWeights;
import org.gkc4j.config.Configs;
import org.gkc4j.eval.SemSegMetrics;
import org.gkc4j.io.AtomicFiles;
import org.gkc4j.io.Safetensors;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.train.Trainer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One GKC training run end to end, resumable: the training data the config names ({@link TrainingData}), the CLIP,
 * the run assembled from its config ({@link TrainingSetup}), the training loop with atomic checkpoints and a metrics
 * log ({@link TrainingLoop}), then the evaluation that fits the data ({@link RunEvaluation}). Every output goes under
 * {@code out}, beside the resolved config and the run's provenance.
 */
public final class TrainingRun {
    public static final String CHECKPOINT = "checkpoint.safetensors", WEIGHTS = "model.safetensors", METRICS_LOG = "metrics.jsonl", CONFUSION = "confusion.csv",
            METRICS = "metrics.json", METRICS_CALIBRATED = "metrics_calibrated.json", CONFIG = "config.yaml",
            TEACHER_REPORT = "teacher.json", METRICS_BY_STEP = "metrics_by_step.json";

    public record Result(Path out, SemSegMetrics metrics, int steps, double trainSeconds, double imagesPerSecond) {
    }

    /**
     * Calibration chosen on validation scenes: the validation metrics of every candidate hubness weight (penalty 0)
     * and of every candidate seen-class penalty (at the chosen weight), the choices, and the test metrics with both.
     */
    public record Calibrated(Map<Double, SemSegMetrics> hubnessValidation, double hubnessWeight, Map<Double, SemSegMetrics> validation,
                             double penalty, SemSegMetrics test) {
        public Calibrated {
            hubnessValidation = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(hubnessValidation));
            validation = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(validation));
        }
    }

    private TrainingRun() {
    }

    public static Result run(RunConfig config, Path out, boolean resume) throws Exception {
        return run(config, out, resume, null);
    }

    /** @param spark null for one process, else where the training steps are split ({@link org.gkc4j.experiments.spark.DataParallelTrainer}) */
    public static Result run(RunConfig config, Path out, boolean resume, org.gkc4j.experiments.spark.SparkOptions spark) throws Exception {
        return run(config, out, resume, spark, true);
    }

    /** The training alone (weights written, no evaluation; metrics null). */
    static Result train(RunConfig config, Path out, boolean resume, org.gkc4j.experiments.spark.SparkOptions spark) throws Exception {
        return run(config, out, resume, spark, false);
    }

    private static Result run(RunConfig config, Path out, boolean resume, org.gkc4j.experiments.spark.SparkOptions spark, boolean evaluate) throws Exception {
        ClipResources.checkFiles(config.clip());
        checkSnapshotSteps(config);
        if (spark != null) {
            TrainingLoop.checkSplittable(config);
        }
        TrainingData data = TrainingData.of(config);          // an unknown world or a missing dataset fails before anything is written
        RunEvaluation evaluation = RunEvaluation.of(config);
        TrainingLoop.augmentation(config.data());
        Files.createDirectories(out);
        Provenance.write(out.resolve("provenance.json"));
        ClipResources clip = ClipResources.open(config);
        RunConfig cfg = fitToClip(config, clip.weights().config());
        AtomicFiles.writeString(out.resolve(CONFIG), Configs.toYaml(cfg));
        TrainingSetup setup = TrainingSetup.assemble(cfg, data, clip, out);
        Map<String, INDArray> init = cfg.clip().initBackbone() ? backboneFromClip(clip.weights()) : Map.of();
        TrainingLoop.Outcome o = TrainingLoop.run(cfg, setup, data.train(), init, out, resume, spark);
        Safetensors.write(out.resolve(WEIGHTS), o.weights(), Map.of("format", "pt", TrainedModel.CONFIG_KEY, Configs.toYaml(cfg)));
        if (!evaluate) {
            return new Result(out, null, o.steps(), o.trainSeconds(), o.imagesPerSecond());
        }
        SemSegMetrics metrics = evaluation.evaluate(cfg, out, clip, o.weights(), data.classes(), o.imagesPerSecond(), o.trainSeconds());
        return new Result(out, metrics, o.steps(), o.trainSeconds(), o.imagesPerSecond());
    }

    /** Where the weights after training step {@code step} are kept when {@code evaluation.atSteps} names it. */
    static Path snapshot(Path out, int step) {
        return out.resolve("snapshots").resolve("step-" + step + ".safetensors");
    }

    static void checkSnapshotSteps(RunConfig cfg) {
        List<Integer> steps = cfg.evaluation().atSteps();
        if (steps.isEmpty()) {
            return;
        }
        if (!cfg.data().dataset().equals("synthetic")) {
            throw GkcException.of("evaluation.atSteps is supported on the synthetic world only (data.dataset is %s)", cfg.data().dataset());
        }
        for (int s : steps) {
            if (s < 1 || s > cfg.train().iterations()) {
                throw GkcException.of("evaluation.atSteps: %d is not a training step (1 .. train.iterations = %d)", s, cfg.train().iterations());
            }
        }
    }

    /** The CLIP image tower's trunk as the student's backbone ({@code visual.*} to {@code backbone.*}, attention pool dropped). */
    public static Map<String, INDArray> backboneFromClip(ClipWeights clip) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        clip.visual().forEach((k, v) -> {
            if (!k.startsWith("visual.attnpool.")) {
                out.put("backbone." + k.substring("visual.".length()), v);
            }
        });
        return out;
    }

    /**
     * The run config with the network's trunk and text-space width taken from the CLIP weights, so any CLIP size
     * trains (the trunk is initialised from the CLIP image tower and classifies against its text tower).
     */
    static RunConfig fitToClip(RunConfig cfg, ClipConfig clip) {
        GkcModelConfig m = cfg.model();
        GkcModelConfig.Backbone b = new GkcModelConfig.Backbone(clip.visionLayers(), clip.visionWidth(), m.backbone().trainBatchNorm());
        GkcModelConfig.Head h = m.head();
        GkcModelConfig.Head head = new GkcModelConfig.Head(clip.embedDim(), h.logitScaleInit(), h.learnedTemperature(), h.voidInitStd());
        if (!b.equals(m.backbone()) || head.embedDim() != h.embedDim()) {
            System.err.printf("gkc: the network follows the CLIP weights: trunk layers %s, width %d, text space %d%n", b.layers(), b.width(), head.embedDim());
        }
        return cfg.withModel(new GkcModelConfig(b, m.pixelDecoder(), m.decoder(), head));
    }

    static void appendLog(Path log, Trainer.StepResult r, int images) throws IOException {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("step", r.step());
        row.put("loss", r.loss());
        r.terms().forEach((k, v) -> row.put("loss_" + k, v));
        row.put("lr", r.lr());
        row.put("grad_norm", r.gradNorm());
        row.put("seconds", r.seconds());
        r.phaseSeconds().forEach((k, v) -> row.put("seconds_" + k, v));
        row.put("images_per_second", images / r.seconds());
        // memory of the process after the step: growth over a run shows here, before the machine runs out
        row.put("rss_mib", org.bytedeco.javacpp.Pointer.physicalBytes() >> 20);
        row.put("pooled_mib", org.gkc4j.nn.exec.LeanExecutor.pooledBytesInProcess() >> 20);
        row.put("planning_passes", org.gkc4j.nn.exec.LeanExecutor.planningPasses());
        Files.writeString(log, Configs.JSON.writeValueAsString(row).replace("\n", "").replaceAll("\\s+", " ") + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static List<Map<String, Object>> readLog(Path log) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        if (!Files.exists(log)) {
            return rows;
        }
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                rows.add(Configs.JSON.readValue(line, new TypeReference<LinkedHashMap<String, Object>>() {
                }));
            }
        }
        return rows;
    }

    /**
     * The training seconds of every step the log holds: a resumed run's log keeps the steps of the sessions before it
     * (less those redone after the last checkpoint), so this is the run's training time, not only the last session's.
     */
    static double loggedSeconds(Path log) throws IOException {
        return readLog(log).stream().mapToDouble(r -> ((Number) r.get("seconds")).doubleValue()).sum();
    }

    /** Drops log lines of steps a resumed run will redo. */
    static void truncateLog(Path log, int step) throws IOException {
        if (!Files.exists(log)) {
            return;
        }
        StringBuilder keep = new StringBuilder();
        for (Map<String, Object> r : readLog(log)) {
            if (((Number) r.get("step")).intValue() < step) {
                keep.append(Configs.JSON.writeValueAsString(r).replace("\n", "").replaceAll("\\s+", " ")).append('\n');
            }
        }
        AtomicFiles.writeString(log, keep.toString());
    }
}
