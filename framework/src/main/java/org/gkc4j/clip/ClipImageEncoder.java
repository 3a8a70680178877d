package org.gkc4j.clip;

import org.gkc4j.nn.exec.GraphExecution;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.fix.OpFixes;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Frozen CLIP image tower (inference-mode BatchNorm) for a fixed input shape: normalised images [N,3,H,W] in; the
 * attention-pool embedding, GKC's dense attention-pool map, and the four stage maps out.
 */
public final class ClipImageEncoder {
    public static final String GLOBAL = "image_features";
    public static final String DENSE = "dense_features";
    public static final List<String> STAGES = List.of("layer1", "layer2", "layer3", "layer4");

    private final GraphContext ctx;
    private final String input;
    private final DataType dtype;
    private final Map<String, String> outputs = new LinkedHashMap<>();

    public ClipImageEncoder(ClipWeights weights, long n, long h, long w, boolean dense) {
        this(weights, n, h, w, dense, DataType.FLOAT);
    }

    /** {@code dtype} is the graph's floating type: FLOAT for use, DOUBLE for parity with float64 references. */
    public ClipImageEncoder(ClipWeights weights, long n, long h, long w, boolean dense, DataType dtype) {
        OpFixes.install();
        this.dtype = dtype;
        ClipConfig cfg = weights.config();
        ctx = GraphContext.builder().dtype(dtype).weights(weights.visual()).trainable(k -> false).build();
        SDVariable image = ctx.sd().placeHolder("image", dtype, n, 3, h, w);
        input = image.name();
        ModifiedResNet trunk = new ModifiedResNet(ctx.scope("visual"), cfg.visionLayers(), cfg.visionWidth(), false);
        List<SDVariable> stages = trunk.forward(image);
        for (int i = 0; i < 4; i++) {
            outputs.put(STAGES.get(i), stages.get(i).name());
        }
        AttentionPool2d pool = new AttentionPool2d(ctx.scope("visual.attnpool"), cfg.gridSize(), cfg.visionEmbed(), cfg.visionHeads(), cfg.embedDim());
        if (dense) {
            AttentionPool2d.Dense d = pool.forwardDense(stages.get(3));
            outputs.put(GLOBAL, d.global().name());
            outputs.put(DENSE, d.map().name());
        } else {
            outputs.put(GLOBAL, pool.forward(stages.get(3)).name());
        }
    }

    /** Runs the tower; {@code which} names outputs ({@link #GLOBAL}, {@link #DENSE}, layer1..layer4). */
    public Map<String, INDArray> run(INDArray images, List<String> which) {
        List<String> names = new ArrayList<>();
        for (String w : which) {
            String n = outputs.get(w);
            if (n == null) {
                throw new IllegalArgumentException("no output " + w + " (have " + outputs.keySet() + ")");
            }
            names.add(n);
        }
        Map<String, INDArray> raw = GraphExecution.output(ctx.sd(), Map.of(input, images.castTo(dtype)), names);
        Map<String, INDArray> out = new HashMap<>();
        for (String w : which) {
            out.put(w, raw.get(outputs.get(w)));
        }
        return out;
    }

    /** Attaches a listener (an op-time profile, say) to the tower's graph. */
    public void addListener(org.nd4j.autodiff.listeners.Listener listener) {
        ctx.sd().addListeners(listener);
    }

    public INDArray encode(INDArray images) {
        return run(images, List.of(GLOBAL)).get(GLOBAL);
    }
}
