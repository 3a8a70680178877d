package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.pipeline.LoaderConfig;
import org.gkc4j.pipeline.SampleSource;
import org.gkc4j.pipeline.SegmentationLoader;
import org.gkc4j.pipeline.augment.AugmentConfig;
import org.gkc4j.pipeline.augment.Normalization;
import org.gkc4j.train.Checkpoint;
import org.gkc4j.train.Trainer;
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
        int size = cfg.data().imageSize();
        Trainer trainer = new Trainer(cfg.model(), cfg.criterion(), cfg.train(), setup.terms(), init, setup.classText(), size, size, DataType.FLOAT);
        LoaderConfig lc = new LoaderConfig(cfg.train().batchSize(), cfg.data().threads(), cfg.data().prefetch(),
                cfg.data().seed() * 31 + cfg.train().seed(), augmentation(cfg.data()), false);
        Path ckpt = out.resolve(TrainingRun.CHECKPOINT);
        Path log = out.resolve(TrainingRun.METRICS_LOG);
        int perStep = cfg.train().batchSize() * cfg.train().accumulate();
        double trainSeconds = 0;
        long images = 0;
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
            try (ProgressBar bar = new ProgressBar("train", total, "steps")) {
                while (trainer.step() < total) {
                    List<TrainingBatch> micro = new ArrayList<>();
                    for (int a = 0; a < cfg.train().accumulate(); a++) {
                        micro.add(loader.next());
                    }
                    Trainer.StepResult r = trainer.train(micro);
                    trainSeconds += r.seconds();
                    images += perStep;
                    TrainingRun.appendLog(log, r, perStep);
                    bar.step(trainer.step(), String.format("loss %.3f %s lr %.1e %.1f img/s", r.loss(), brief(r.terms()), r.lr(), perStep / r.seconds()));
                    if (trainer.step() % cfg.train().checkpointEvery() == 0 || trainer.step() == total) {
                        Checkpoint.save(ckpt, trainer.checkpointState(), Map.of(TrainedModel.CONFIG_KEY, Configs.toYaml(cfg)));
                    }
                }
            }
            if (loader.report().summary().samplesSkipped() > 0) {
                System.err.println("gkc: data: " + loader.report().summary());
            }
        }
        return new Outcome(trainer.stateDict(), trainer.step(), trainSeconds, images / Math.max(trainSeconds, 1e-9));
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
