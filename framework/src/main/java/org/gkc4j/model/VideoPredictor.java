package org.gkc4j.model;

import org.gkc4j.nn.exec.GraphExecution;
import org.gkc4j.GkcException;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.Resize;
import org.gkc4j.nn.Scope;
import org.gkc4j.nn.fix.OpFixes;
import org.gkc4j.nn.loss.Losses;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The video network in inference mode on whole videos: clips of {@code clipLength} frames overlapping by
 * {@code overlap}, each run once, joined into tracks by a {@link ClipStitcher}. Frames are normalised, their size a
 * multiple of 32. One graph per frame size and vocabulary size.
 */
public final class VideoPredictor {
    private record Graph(SameDiff sd, String masks, String logits, String embeddings, long queries) {
    }

    private final GkcModelConfig cfg;
    private final Map<String, INDArray> weights;
    private final int clipLength, overlap;
    private final ClipStitcher stitcher;
    private final Map<String, Graph> graphs = new LinkedHashMap<>();

    public VideoPredictor(GkcModelConfig cfg, Map<String, INDArray> weights, int clipLength, int overlap, ClipStitcher stitcher) {
        ClipStitcher.starts(clipLength + 1, clipLength, overlap);   // refuses an impossible schedule early
        this.cfg = cfg;
        this.weights = weights;
        this.clipLength = clipLength;
        this.overlap = overlap;
        this.stitcher = stitcher;
    }

    /** Label maps (row-major class indices into the vocabulary) of every frame of a video [F,3,H,W] (F >= the clip length). */
    public int[][] predict(INDArray frames, INDArray textFeatures) {
        long f = frames.size(0), h = frames.size(2), w = frames.size(3);
        if (f < clipLength) {
            throw GkcException.of("a video of %d frames is shorter than a clip (%d frames)", f, clipLength);
        }
        if (h % 32 != 0 || w % 32 != 0) {
            throw GkcException.of("video frames of %dx%d: the size must be a multiple of 32", h, w);
        }
        List<ClipStitcher.Clip> clips = new ArrayList<>();
        for (int start : ClipStitcher.starts((int) f, clipLength, overlap)) {
            clips.add(clip(frames.get(NDArrayIndex.interval(start, start + clipLength)), textFeatures, start));
        }
        return stitcher.labelMaps(clips, (int) f);
    }

    /** One clip's prediction: masks upsampled to the frame size, class probabilities without void, normalised embeddings. */
    public ClipStitcher.Clip clip(INDArray clipFrames, INDArray textFeatures, int start) {
        long h = clipFrames.size(2), w = clipFrames.size(3), k = textFeatures.size(0);
        Graph g = graphs.computeIfAbsent(h + "x" + w + "x" + k, key -> build(h, w, k));
        Map<String, INDArray> out = GraphExecution.output(g.sd(), Map.of("images", clipFrames.castTo(DataType.FLOAT), "text_features", textFeatures.castTo(DataType.FLOAT)),
                g.masks(), g.logits(), g.embeddings());
        int q = (int) g.queries(), t = clipLength;
        INDArray masks = out.get(g.masks()).reshape(q, t, h * w);
        float[][][] m = new float[q][t][];
        for (int i = 0; i < q; i++) {
            for (int j = 0; j < t; j++) {
                m[i][j] = masks.get(NDArrayIndex.point(i), NDArrayIndex.point(j)).dup('c').data().asFloat();
            }
        }
        INDArray probs = Transforms.softmax(out.get(g.logits()).reshape(q, k + 1).castTo(DataType.DOUBLE), true)
                .get(NDArrayIndex.all(), NDArrayIndex.interval(0, k));
        INDArray emb = out.get(g.embeddings()).reshape(q, -1).castTo(DataType.DOUBLE);
        return new ClipStitcher.Clip(start, m, probs.toDoubleMatrix(), emb.toDoubleMatrix());
    }

    private Graph build(long h, long w, long k) {
        OpFixes.install();
        GraphContext ctx = GraphContext.builder().dtype(DataType.FLOAT).weights(weights).trainable(key -> false).build();
        SameDiff sd = ctx.sd();
        SDVariable images = sd.placeHolder("images", DataType.FLOAT, clipLength, 3, h, w);
        SDVariable text = sd.placeHolder("text_features", DataType.FLOAT, k, cfg.head().embedDim());
        VideoGkcNetwork net = new VideoGkcNetwork(ctx, cfg, clipLength);
        GkcNetwork.Outputs o = net.forward(images);
        List<String> missing = ctx.initialisedKeys();
        if (!missing.isEmpty()) {
            throw GkcException.of("the weights do not fit the video network: missing %d %s", missing.size(), missing.subList(0, Math.min(5, missing.size())));
        }
        int last = o.sets() - 1;
        Scope scope = ctx.root();
        long[] ms = scope.shape(o.masks().get(last));
        long q = ms[1], mh = ms[2] / clipLength, mw = ms[3];
        SDVariable perFrame = scope.withShape(o.masks().get(last).reshape(1, q * clipLength, mh, mw), 1, q * clipLength, mh, mw);
        SDVariable up = Resize.bilinear(scope, perFrame, h, w);
        SDVariable logits = net.head().logits(o.embeddings().get(last), net.head().classifier(text), k + 1);
        SDVariable emb = Losses.l2Normalize(sd, o.embeddings().get(last).reshape(q, cfg.head().embedDim()), 1);
        return new Graph(sd, up.name(), logits.name(), emb.name(), q);
    }

    /** Drops the built graphs so their memory can be reclaimed; the predictor stays usable. */
    public void close() {
        for (Graph g : graphs.values()) {
            g.sd().clearPlaceholders(true);
            g.sd().clearOpInputs();
        }
        graphs.clear();
    }
}
