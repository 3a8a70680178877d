package org.gkc4j.clip;

import org.gkc4j.GkcException;
import org.gkc4j.io.Safetensors;
import org.gkc4j.io.TensorFile;
import org.gkc4j.io.WeightFiles;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CLIP weights in OpenAI's key layout (as open_clip and model hubs publish them): read from safetensors or PyTorch
 * files with every size inferred from shapes, written back as safetensors in the same layout (with the head count as
 * metadata), round trip exact.
 */
public final class ClipWeights {
    private final ClipConfig config;
    private final LinkedHashMap<String, INDArray> tensors;

    public ClipWeights(ClipConfig config, Map<String, INDArray> tensors) {
        this.config = config;
        Map<String, long[]> shapes = new LinkedHashMap<>();
        tensors.forEach((k, v) -> shapes.put(k, v.shape()));
        config.validate(shapes);
        this.tensors = new LinkedHashMap<>();
        for (String k : config.expectedShapes().keySet()) {
            if (tensors.containsKey(k)) {
                this.tensors.put(k, tensors.get(k));
            }
        }
    }

    /**
     * Reads CLIP weights from safetensors, a {@code torch.save} state dict or a TorchScript archive (OpenAI's
     * {@code RN50.pt}); the format is told by the file's first bytes ({@link WeightFiles}). Half-precision weights
     * are widened to FLOAT. The text tower's head count, which no shape tells, is the safetensors metadata key
     * {@value ClipConfig#HEADS_METADATA_KEY} where present, else OpenAI's rule width / 64 (PyTorch files never
     * carry it).
     */
    public static ClipWeights load(Path file) {
        try (TensorFile st = WeightFiles.open(file)) {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            st.specs().forEach((k, e) -> shapes.put(k, e.shape()));
            ClipConfig cfg;
            try {
                cfg = ClipConfig.infer(shapes, st.metadata());
            } catch (GkcException e) {
                throw new GkcException(file + ": " + e.getMessage());
            }
            LinkedHashMap<String, INDArray> t = new LinkedHashMap<>();
            for (String k : shapes.keySet()) {
                if (!ClipConfig.ignored(k)) {
                    t.put(k, st.read(k));
                }
            }
            return new ClipWeights(cfg, t);
        }
    }

    /**
     * Random weights in the real layout (fan-in scaled normals, identity BatchNorm statistics): for benchmarks and
     * tests that need a model of real size without real weights.
     */
    public static ClipWeights random(ClipConfig cfg, long seed) {
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(seed);
        LinkedHashMap<String, INDArray> t = new LinkedHashMap<>();
        cfg.expectedShapes().forEach((k, shape) -> {
            INDArray a;
            if (k.endsWith("running_var") || k.endsWith(".weight") && shape.length == 1) {
                a = org.nd4j.linalg.factory.Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, shape);
            } else if (k.endsWith("running_mean") || k.endsWith(".bias")) {
                a = org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, shape);
            } else if (shape.length == 0) {
                a = org.nd4j.linalg.factory.Nd4j.scalar((float) Math.log(100));
            } else {
                long fanIn = shape.length == 1 ? shape[0] : java.util.Arrays.stream(shape).skip(1).reduce(1, (x, y) -> x * y);
                a = org.nd4j.linalg.factory.Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, shape).muli(1.0 / Math.sqrt(fanIn));
            }
            t.put(k, a);
        });
        return new ClipWeights(cfg, t);
    }

    public void save(Path file) {
        Safetensors.write(file, tensors, Map.of("format", "pt", ClipConfig.HEADS_METADATA_KEY, Integer.toString(config.transformerHeads())));
    }

    public ClipConfig config() {
        return config;
    }

    public Map<String, INDArray> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /** Only the image tower's tensors, with the {@code visual.} prefix kept. */
    public Map<String, INDArray> visual() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith("visual.")) {
                m.put(k, v);
            }
        });
        return m;
    }

    /** A short digest of the weights (for cache keys): SHA-256 over names, shapes and values. */
    public String digest() {
        return org.gkc4j.io.TensorBytes.digest(tensors);
    }

    /** Parameter counts as PyTorch reports them: visual (with attention pool) and text (with embeddings). */
    public long[] parameterCounts() {
        long visual = 0, text = 0;
        for (var e : tensors.entrySet()) {
            if (e.getKey().contains("running_") || e.getKey().equals("logit_scale")) {
                continue;
            }
            if (e.getKey().startsWith("visual.")) {
                visual += e.getValue().length();
            } else {
                text += e.getValue().length();
            }
        }
        return new long[]{visual, text};
    }
}
