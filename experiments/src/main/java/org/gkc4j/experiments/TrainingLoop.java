package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.pipeline.LoaderConfig;
import org.gkc4j.pipeline.SampleSource;
import org.gkc4j.pipeline.SegmentationLoader;
import org.gkc4j.pipeline.augment.AugmentConfig;
import org.gkc4j.pipeline.augment.Normalization;
import org.gkc4j.io.Safetensors;
import org.gkc4j.train.Checkpoint;
import org.gkc4j.train.Trainer;
import org.gkc4j.experiments.spark.DataParallelTrainer;
import org.gkc4j.experiments.spark.SparkContexts;
import org.gkc4j.experiments.spark.SparkOptions;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The training loop of a run: the loader over the training split, the trainer, an atomic checkpoint every
 * {@code train.checkpointEvery} steps and at the end, one metrics-log line per step, and resumption from the
 * checkpoint at the exact sample the interrupted run would have read next.
 */
final class TrainingLoop {
    /** The trained weights and what the loop measured. */
    record Outcome(Map<String, INDArray> weights, int steps, double trainSeconds, double imagesPerSecond) {
    }

    private TrainingLoop() {
    }

    static Outcome run(RunConfig cfg, TrainingSetup setup, SampleSource train, Map<String, INDArray> init, Path out, boolean resume) throws Exception {
        return run(cfg, setup, train, init, out, resume, null);
    }

    /** @param spark null for one process; otherwise every step is split over Spark workers ({@link DataParallelTrainer}) */
    static Outcome run(RunConfig cfg, TrainingSetup setup, SampleSource train, Map<String, INDArray> init, Path out, boolean resume,
                       SparkOptions spark) throws Exception {
        if (spark != null) {
            checkSplittable(cfg);
        }
        int size = cfg.data().imageSize();
        Trainer trainer = new Trainer(cfg.model(), cfg.criterion(), cfg.train(), setup.terms(), init, setup.classText(), size, size, DataType.FLOAT);
        LoaderConfig lc = new LoaderConfig(cfg.train().batchSize(), cfg.data().threads(), cfg.data().prefetch(),
                cfg.data().seed() * 31 + cfg.train().seed(), augmentation(cfg.data()), false);
        Path ckpt = out.resolve(TrainingRun.CHECKPOINT);
        Path log = out.resolve(TrainingRun.METRICS_LOG);
        int perStep = cfg.train().batchSize() * cfg.train().accumulate();
        try (SegmentationLoader loader = new SegmentationLoader(train, lc, Normalization.IMAGENET, setup.enrichers())) {
            if (resume && Files.exists(ckpt)) {
                trainer.restore(Checkpoint.load(ckpt));
                loader.seek((long) trainer.step() * cfg.train().accumulate());
                TrainingRun.truncateLog(log, trainer.step());
                System.err.printf("gkc: resumed %s at step %d%n", out, trainer.step());
            } else {
                Files.deleteIfExists(log);
            }
            int total = cfg.train().iterations();
            JavaSparkContext sc = null;
            DataParallelTrainer parallel = null;
            if (spark != null) {
                sc = SparkContexts.open(spark.master(), "gkc4j train " + out.toAbsolutePath().getFileName());
                int workers = spark.workers() > 0 ? spark.workers() : sc.defaultParallelism();
                try {
                    parallel = new DataParallelTrainer(sc, trainer, Configs.toYaml(absolutePaths(cfg)), setup.classes(), setup.teacherDim(), workers, spark.allReduce());
                } catch (RuntimeException e) {
                    sc.close();
                    throw e;
                }
                System.err.printf("gkc: training on Spark (%s), each step split over %d workers, gradients summed by %s%n", sc.master(), workers,
                        spark.allReduce() == SparkOptions.AllReduce.RING ? "a ring all-reduce" : "tree aggregation");
            }
            try (ProgressBar bar = new ProgressBar("train", total, "steps")) {
                while (trainer.step() < total) {
                    List<TrainingBatch> micro = new ArrayList<>();
                    for (int a = 0; a < cfg.train().accumulate(); a++) {
                        micro.add(loader.next());
                    }
                    Trainer.StepResult r = parallel != null ? parallel.train(micro) : trainer.train(micro);
                    TrainingRun.appendLog(log, r, perStep);
                    Double comm = r.phaseSeconds().get("communication");
                    bar.step(trainer.step(), String.format("loss %.3f %s lr %.1e %.1f img/s%s", r.loss(), brief(r.terms()), r.lr(), perStep / r.seconds(),
                            comm == null ? "" : String.format(" comm %.2f s", comm)));
                    if (cfg.evaluation().atSteps().contains(trainer.step())) {
                        Safetensors.write(TrainingRun.snapshot(out, trainer.step()), trainer.stateDict(),
                                Map.of("format", "pt", TrainedModel.CONFIG_KEY, Configs.toYaml(cfg)));
                    }
                    if (trainer.step() % cfg.train().checkpointEvery() == 0 || trainer.step() == total) {
                        Checkpoint.save(ckpt, trainer.checkpointState(), Map.of(TrainedModel.CONFIG_KEY, Configs.toYaml(cfg)));
                    }
                }
            } finally {
                if (parallel != null) {
                    parallel.close();
                }
                if (sc != null) {
                    sc.close();
                }
            }
            if (loader.report().summary().samplesSkipped() > 0) {
                System.err.println("gkc: data: " + loader.report().summary());
            }
        }
        // the run's time, not only this session's: a resumed run's log keeps the steps before the stop
        double trainSeconds = TrainingRun.loggedSeconds(log);
        long images = (long) TrainingRun.readLog(log).size() * perStep;
        return new Outcome(trainer.stateDict(), trainer.step(), trainSeconds, images / Math.max(trainSeconds, 1e-9));
    }

    /**
     * One-line errors for what a split batch cannot reproduce: BatchNorm statistics of the batch (each worker would
     * see only its shard's), a loss comparing the images of a batch (grounding), a distillation subset drawn over
     * the whole batch.
     */
    static void checkSplittable(RunConfig cfg) {
        if (cfg.model().backbone().trainBatchNorm()) {
            throw GkcException.of("--spark needs model.backbone.trainBatchNorm=false: batch statistics would be each worker's shard's");
        }
        if (cfg.grounding().enabled()) {
            throw GkcException.of("--spark cannot split grounding.enabled: its loss compares every image's caption with the others of the batch");
        }
        int most = cfg.train().batchSize() * cfg.criterion().maxTargetsPerImage();
        if (cfg.distillation().enabled() && cfg.distillation().maxInstances() < most) {
            throw GkcException.of("--spark needs distillation.maxInstances >= train.batchSize x criterion.maxTargetsPerImage (%d), not %d: a subset drawn over the whole batch cannot be split",
                    most, cfg.distillation().maxInstances());
        }
    }

    /** The config with its file paths absolute, for executors whose working folder is another. */
    static RunConfig absolutePaths(RunConfig c) {
        RunConfig.Clip k = c.clip();
        RunConfig.Clip clip = new RunConfig.Clip(k.weights().equals("builtin") ? k.weights() : abs(k.weights()), abs(k.merges()), k.prompts(),
                abs(k.cache()), k.initBackbone(), k.pretrain());
        RunConfig.Data d = c.data();
        RunConfig.Data data = new RunConfig.Data(d.dataset(), d.world(), abs(d.root()), d.imageSize(), d.trainImages(), d.threads(), d.prefetch(),
                d.augment(), d.minScale(), d.maxScale(), d.seed());
        return new RunConfig(c.model(), c.criterion(), c.train(), data, clip, c.diversification(), c.distillation(), c.grounding(), c.alignment(),
                c.evaluation());
    }

    private static String abs(String path) {
        return path == null || path.isEmpty() ? path : Path.of(path).toAbsolutePath().normalize().toString();
    }

    static AugmentConfig augmentation(RunConfig.Data data) {
        int size = data.imageSize();
        return switch (data.augment()) {
            case "authors", "scale" -> new AugmentConfig(size, data.minScale(), data.maxScale(), 0.5, 128);
            case "lsj" -> AugmentConfig.largeScaleJitter(size);
            case "none" -> AugmentConfig.none(size);
            default -> throw GkcException.of("data.augment must be authors, lsj or none, not '%s'", data.augment());
        };
    }

    private static String brief(Map<String, Double> terms) {
        StringBuilder sb = new StringBuilder();
        terms.forEach((k, v) -> sb.append(k).append(' ').append(String.format("%.2f", v)).append(' '));
        return sb.toString().trim();
    }
}
