package org.gkc4j.nn;

import org.gkc4j.GkcException;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * Everything blocks share while they build one SameDiff graph: the graph, its data type, the weights to load (by
 * checkpoint key), the seed for fresh parameters, which parameters train, and the state the trainer must maintain
 * (BatchNorm running statistics). Parameters are named exactly like checkpoint keys, so a state dict loads by name.
 */
public final class GraphContext {
    private final SameDiff sd;
    private final DataType dtype;
    private final Map<String, INDArray> weights;
    private final long seed;
    private final Predicate<String> trainable;
    private final boolean training;
    private final LinkedHashMap<String, SDVariable> state = new LinkedHashMap<>();
    private final List<BatchNormUpdate> batchNormUpdates = new ArrayList<>();
    private final Map<String, long[]> shapes = new java.util.HashMap<>();
    private final Map<String, Layout> layouts = new java.util.HashMap<>();
    private final List<String> initialised = new ArrayList<>();
    private final java.util.Set<String> noDecay = new java.util.HashSet<>();

    /** A running-statistics update the trainer applies after each step (see {@link BatchNorm2d}). */
    public record BatchNormUpdate(String runningMean, String runningVar, String batchMean, String batchVar, double momentum, long count) {
    }

    private GraphContext(SameDiff sd, DataType dtype, Map<String, INDArray> weights, long seed, Predicate<String> trainable, boolean training) {
        this.sd = sd;
        this.dtype = dtype;
        this.weights = weights;
        this.seed = seed;
        this.trainable = trainable;
        this.training = training;
        org.gkc4j.nn.fix.OpFixes.install();   // the gradient graphs built from this graph use the working backward passes
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private SameDiff sd;
        private DataType dtype = DataType.FLOAT;
        private Map<String, INDArray> weights = Map.of();
        private long seed = 0;
        private Predicate<String> trainable = n -> true;
        private boolean training = false;

        public Builder sameDiff(SameDiff sd) {
            this.sd = sd;
            return this;
        }

        public Builder dtype(DataType dtype) {
            this.dtype = dtype;
            return this;
        }

        public Builder weights(Map<String, INDArray> weights) {
            this.weights = weights;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Which parameters (by key) are trainable variables; the others become constants. */
        public Builder trainable(Predicate<String> trainable) {
            this.trainable = trainable;
            return this;
        }

        /** Training graphs use batch statistics in BatchNorm (when the block allows it). */
        public Builder training(boolean training) {
            this.training = training;
            return this;
        }

        public GraphContext build() {
            return new GraphContext(sd == null ? SameDiff.create() : sd, dtype, weights, seed, trainable, training);
        }
    }

    public SameDiff sd() {
        return sd;
    }

    public DataType dtype() {
        return dtype;
    }

    public boolean training() {
        return training;
    }

    public Scope root() {
        return new Scope(this, "");
    }

    public Scope scope(String prefix) {
        return new Scope(this, prefix);
    }

    /** Every parameter and buffer created so far, by checkpoint key, in creation order. */
    public Map<String, SDVariable> state() {
        return Collections.unmodifiableMap(state);
    }

    public List<BatchNormUpdate> batchNormUpdates() {
        return Collections.unmodifiableList(batchNormUpdates);
    }

    void addBatchNormUpdate(BatchNormUpdate u) {
        batchNormUpdates.add(u);
    }

    /**
     * The static shape of a graph value. SameDiff M2.1 infers no shapes while a graph is built, so every block
     * records the shape of what it returns ({@link #withShape}); placeholders, variables and constants know theirs.
     */
    public long[] shape(SDVariable v) {
        long[] s = shapes.get(v.name());
        if (s == null) {
            s = v.getShape();
        }
        if (s == null) {
            throw new IllegalStateException("no static shape recorded for '" + v.name() + "'");
        }
        return s.clone();
    }

    public SDVariable withShape(SDVariable v, long... shape) {
        shapes.put(v.name(), shape.clone());
        return v;
    }

    /** Marks a parameter that weight decay must skip (normalisation parameters and embeddings, as detectron2). */
    public void excludeFromWeightDecay(String key) {
        noDecay.add(key);
    }

    public boolean weightDecayApplies(String key) {
        return !noDecay.contains(key);
    }

    /** Keys the blocks asked for that the supplied weights lacked (freshly initialised). */
    public List<String> initialisedKeys() {
        return Collections.unmodifiableList(initialised);
    }

    /** Keys of the supplied weights that no block asked for. */
    public List<String> unusedWeights() {
        List<String> out = new ArrayList<>();
        for (String k : weights.keySet()) {
            if (!state.containsKey(k)) {
                out.add(k);
            }
        }
        return out;
    }

    /** Parameters and buffers by checkpoint key, in checkpoint layout (copies), in creation order. */
    public LinkedHashMap<String, INDArray> stateDict() {
        LinkedHashMap<String, INDArray> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, layout(k).toCheckpoint(v.getArr()).dup()));
        return out;
    }

    /** How a parameter is stored in this graph relative to its checkpoint layout. */
    public Layout layout(String key) {
        return layouts.getOrDefault(key, Layout.SAME);
    }

    /** Copies checkpoint-layout values into existing parameters (shapes must match). */
    public void load(Map<String, INDArray> values) {
        values.forEach((k, v) -> {
            SDVariable var = state.get(k);
            if (var != null) {
                var.getArr().assign(layout(k).toGraph(v).castTo(dtype));
            }
        });
    }

    SDVariable create(String key, Init init, long[] shape, boolean buffer, Layout layout) {
        if (state.containsKey(key)) {
            throw new IllegalStateException("parameter created twice: " + key);
        }
        INDArray value;
        INDArray given = weights.get(key);
        if (given != null) {
            long[] gs = given.shape();
            boolean scalarMatch = shape.length == 0 && given.length() == 1;
            if (!scalarMatch && !Arrays.equals(gs, shape)) {
                throw GkcException.of("weight '%s' has shape %s but the model expects %s", key, Arrays.toString(gs), Arrays.toString(shape));
            }
            value = (scalarMatch ? given.reshape(shape) : given).castTo(dtype).dup();
        } else {
            value = init.create(shape, dtype, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + key.hashCode()));
            initialised.add(key);
        }
        value = layout.toGraph(value);
        if (layout != Layout.SAME) {
            layouts.put(key, layout);
        }
        SDVariable v = (!buffer && trainable.test(key)) ? sd.var(key, value) : sd.constant(key, value);
        state.put(key, v);
        return v;
    }
}
