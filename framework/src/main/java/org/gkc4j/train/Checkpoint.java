package org.gkc4j.train;

import org.gkc4j.GkcException;
import org.gkc4j.io.Safetensors;
import org.gkc4j.io.TensorFile;
import org.gkc4j.io.WeightFiles;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training checkpoints as one safetensors file, written atomically (temporary file, then rename): the model under
 * its own keys (so a checkpoint is also a weights file), optimiser moments under {@code optimizer.}, and the step,
 * the optimiser's step count and free-form run metadata (config, data position) in the header.
 */
public final class Checkpoint {
    public static final String OPTIMIZER_PREFIX = "optimizer.";

    public record State(Map<String, INDArray> model, Map<String, INDArray> optimizer, int step, long adamSteps) {
    }

    private Checkpoint() {
    }

    public static void save(Path file, State state, Map<String, String> metadata) {
        LinkedHashMap<String, INDArray> t = new LinkedHashMap<>(state.model());
        state.optimizer().forEach((k, v) -> t.put(OPTIMIZER_PREFIX + k, v));
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("step", Integer.toString(state.step()));
        meta.put("adam_steps", Long.toString(state.adamSteps()));
        meta.put("format", "pt");
        Safetensors.write(file, t, meta);
    }

    public static State load(Path file) {
        if (!Files.exists(file)) {
            throw GkcException.of("checkpoint not found: %s", file);
        }
        try (Safetensors st = Safetensors.open(file)) {
            Map<String, INDArray> model = new LinkedHashMap<>(), optim = new LinkedHashMap<>();
            for (String k : st.entries().keySet()) {
                if (k.startsWith(OPTIMIZER_PREFIX)) {
                    optim.put(k.substring(OPTIMIZER_PREFIX.length()), st.read(k));
                } else {
                    model.put(k, st.read(k));
                }
            }
            String step = st.metadata().get("step");
            if (step == null) {
                throw GkcException.of("%s is a weights file, not a training checkpoint (no step recorded)", file);
            }
            return new State(model, optim, Integer.parseInt(step), Long.parseLong(st.metadata().getOrDefault("adam_steps", step)));
        }
    }

    public static Map<String, String> metadata(Path file) {
        try (Safetensors st = Safetensors.open(file)) {
            return st.metadata();
        }
    }

    /** Only the model weights of a checkpoint or weights file (safetensors or PyTorch, see {@link WeightFiles}). */
    public static Map<String, INDArray> modelWeights(Path file) {
        try (TensorFile st = WeightFiles.open(file)) {
            Map<String, INDArray> model = new LinkedHashMap<>();
            for (String k : st.specs().keySet()) {
                if (!k.startsWith(OPTIMIZER_PREFIX)) {
                    model.put(k, st.read(k));
                }
            }
            return model;
        }
    }
}
