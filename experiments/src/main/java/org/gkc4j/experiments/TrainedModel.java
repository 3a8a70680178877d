package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.pipeline.synthetic.SyntheticWorld;
import org.gkc4j.io.TensorFile;
import org.gkc4j.io.TorchCheckpoint;
import org.gkc4j.io.WeightFiles;
import org.gkc4j.train.Checkpoint;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A trained network as {@code gkc train} leaves it: weights (a run's {@code model.safetensors} or
 * {@code checkpoint.safetensors}, or a run folder) plus the run config recorded in the file's metadata, which says
 * how big the network is and which CLIP names its classes.
 */
public record TrainedModel(RunConfig config, Map<String, INDArray> weights) {
    public static final String CONFIG_KEY = "run_config";

    public static TrainedModel load(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve(TrainingRun.WEIGHTS) : path;
        if (!Files.exists(file)) {
            throw GkcException.of("checkpoint not found: %s", file);
        }
        String yaml;
        boolean torch;
        try (TensorFile st = WeightFiles.open(file)) {
            yaml = st.metadata().get(CONFIG_KEY);
            torch = st instanceof TorchCheckpoint;
        }
        if (yaml == null && torch) {
            throw GkcException.of("%s is a PyTorch checkpoint, which records no run config; run a network trained elsewhere with"
                    + " 'gkc model forward --weights %s --d2-config <its config.yaml>'", file, file);
        }
        if (yaml == null) {
            throw GkcException.of("%s records no run config (metadata '%s'); was it written by gkc train?", file, CONFIG_KEY);
        }
        RunConfig cfg;
        try {
            Path tmp = Files.createTempFile("gkc-run", ".yaml");
            // model.decoder.preNorm was retired (always false: post-norm, as the authors'); runs written before still name it
            Files.writeString(tmp, yaml.replaceAll("(?m)^\\s*preNorm:\\s*false\\s*$\\R?", ""));
            // a config that names no synthetic world predates them: it was trained on the four-shape world
            RunConfig legacy = RunConfig.defaults().withData(RunConfig.Data.defaults().withWorld(SyntheticWorld.FOUR_SHAPES.name()));
            cfg = Configs.load(RunConfig.class, legacy, tmp, List.of());
            Files.deleteIfExists(tmp);
        } catch (java.io.IOException e) {
            throw new GkcException("cannot read the run config of " + file + ": " + e.getMessage(), e);
        }
        return new TrainedModel(cfg, Checkpoint.modelWeights(file));
    }
}
