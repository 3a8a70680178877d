package org.gkc4j.experiments;

import org.gkc4j.config.Configs;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.pipeline.LoaderConfig;
import org.gkc4j.pipeline.SegmentationLoader;
import org.gkc4j.pipeline.augment.Normalization;
import org.gkc4j.train.Trainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A run config's trainer and training batches exactly as {@code gkc train} builds them (CLIP, diversification,
 * distillation, loader), without the loop around them: for timing single training steps.
 */
public final class DemoSteps implements AutoCloseable {
    private final Trainer trainer;
    private final SegmentationLoader loader;
    private final int accumulate;

    private DemoSteps(Trainer trainer, SegmentationLoader loader, int accumulate) {
        this.trainer = trainer;
        this.loader = loader;
        this.accumulate = accumulate;
    }

    public static DemoSteps open(Path config, List<String> overrides) throws Exception {
        RunConfig config0 = Configs.load(RunConfig.class, RunConfig.defaults(), config, overrides);
        ClipResources.checkFiles(config0.clip());
        TrainingData data = TrainingData.of(config0);
        ClipResources clip = ClipResources.open(config0);
        RunConfig cfg = TrainingRun.fitToClip(config0, clip.weights().config());
        Path scratch = java.nio.file.Files.createTempDirectory("gkc-bench-steps");
        TrainingSetup setup = TrainingSetup.assemble(cfg, data, clip, scratch);
        Map<String, INDArray> init = cfg.clip().initBackbone() ? TrainingRun.backboneFromClip(clip.weights()) : Map.of();
        int size = cfg.data().imageSize();
        Trainer trainer = new Trainer(cfg.model(), cfg.criterion(), cfg.train(), setup.terms(), init, setup.classText(), size, size, DataType.FLOAT);
        LoaderConfig lc = new LoaderConfig(cfg.train().batchSize(), cfg.data().threads(), cfg.data().prefetch(),
                cfg.data().seed() * 31 + cfg.train().seed(), TrainingLoop.augmentation(cfg.data()), false);
        SegmentationLoader loader = new SegmentationLoader(data.train(), lc, Normalization.IMAGENET, setup.enrichers());
        return new DemoSteps(trainer, loader, cfg.train().accumulate());
    }

    /** One optimisation step on the next batches. */
    public Trainer.StepResult step() {
        List<TrainingBatch> micro = new java.util.ArrayList<>();
        for (int a = 0; a < accumulate; a++) {
            micro.add(loader.next());
        }
        return trainer.train(micro);
    }

    /** The next training batch from the loader (for timing parts of a step). */
    public TrainingBatch nextBatch() {
        return loader.next();
    }

    public Trainer trainer() {
        return trainer;
    }

    @Override
    public void close() {
        loader.close();
    }
}
