package org.gkc4j.model;

import org.gkc4j.nn.exec.GraphExecution;
import org.gkc4j.GkcException;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.fix.OpFixes;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The video network in inference mode on whole videos: clips of {@code clipLength} frames overlapping by
 * {@code overlap}, each run once, folded into tracks by a {@link ClipStitcher} as they come. The graph stops at the
 * masks (mask resolution) and the query embeddings, so it depends on no vocabulary: the open-vocabulary head's
 * cosine logits against each vocabulary are computed here, and a video costs one network pass however many
 * vocabularies label it. Frames are normalised, their size a multiple of 32. One graph per frame size.
 */
public final class VideoPredictor {
    private record Graph(SameDiff sd, String masks, String embeddings, long queries, long maskHeight, long maskWidth) {
    }

    private final GkcModelConfig cfg;
    private final Map<String, INDArray> weights;
    private final int clipLength, overlap;
    private final ClipStitcher stitcher;
    private final Map<String, Graph> graphs = new LinkedHashMap<>();
    private final double logitScale;
    private final double[] voidEmbedding;
    private int peakFullResolutionFrames;

    public VideoPredictor(GkcModelConfig cfg, Map<String, INDArray> weights, int clipLength, int overlap, ClipStitcher stitcher) {
        ClipStitcher.starts(clipLength + 1, clipLength, overlap);   // refuses an impossible schedule early
        this.cfg = cfg;
        this.weights = weights;
        this.clipLength = clipLength;
        this.overlap = overlap;
        this.stitcher = stitcher;
        // the head's two parameters as OpenVocabularyHead creates them when a weights file lacks them
        INDArray scale = weights.get("logit_scale");
        this.logitScale = scale != null ? scale.getDouble(0) : cfg.head().learnedTemperature() ? cfg.head().logitScaleInit() : Math.log(10);
        INDArray v = weights.get("non_object_embedding");
        if (v == null) {
            throw GkcException.of("the weights do not fit the video network: missing non_object_embedding");
        }
        this.voidEmbedding = v.castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
    }

    /** Label maps (row-major class indices into the vocabulary) of every frame of a video [F,3,H,W] (F >= the clip length). */
    public int[][] predict(INDArray frames, INDArray textFeatures) {
        return predict(frames, List.of(textFeatures))[0];
    }

    /** Label maps [V][F][H*W] of every frame of a video [F,3,H,W] (F >= the clip length) against each vocabulary [K_v,E], from one pass of the network. */
    public int[][][] predict(INDArray frames, List<INDArray> vocabularies) {
        long f = frames.size(0), h = frames.size(2), w = frames.size(3);
        if (f < clipLength) {
            throw GkcException.of("a video of %d frames is shorter than a clip (%d frames)", f, clipLength);
        }
        if (h % 32 != 0 || w % 32 != 0) {
            throw GkcException.of("video frames of %dx%d: the size must be a multiple of 32", h, w);
        }
        ClipStitcher.Video video = stitcher.video((int) f, (int) h, (int) w);
        for (int start : ClipStitcher.starts((int) f, clipLength, overlap)) {
            video.add(clip(frames.get(NDArrayIndex.interval(start, start + clipLength)), vocabularies, start));
        }
        int[][][] out = video.labelMaps();
        peakFullResolutionFrames = video.peakFullResolutionFrames();
        return out;
    }

    /** The most full-resolution frames of masks the last {@link #predict} held at once. */
    public int peakFullResolutionFrames() {
        return peakFullResolutionFrames;
    }

    /** One clip's prediction: mask logits at the mask resolution, class probabilities without void against each vocabulary, query embeddings. */
    public ClipStitcher.Clip clip(INDArray clipFrames, List<INDArray> vocabularies, int start) {
        long h = clipFrames.size(2), w = clipFrames.size(3);
        Graph g = graphs.computeIfAbsent(h + "x" + w, key -> build(h, w));
        Map<String, INDArray> out = GraphExecution.output(g.sd(), Map.of("images", clipFrames.castTo(DataType.FLOAT)), g.masks(), g.embeddings());
        int q = (int) g.queries(), t = clipLength, hw = (int) (g.maskHeight() * g.maskWidth());
        float[] all = out.get(g.masks()).dup('c').data().asFloat();   // [1, Q, T*h, w]: a query's frames one after another
        float[][][] m = new float[q][t][];
        for (int i = 0; i < q; i++) {
            for (int j = 0; j < t; j++) {
                m[i][j] = Arrays.copyOfRange(all, (i * t + j) * hw, (i * t + j + 1) * hw);
            }
        }
        double[][] emb = out.get(g.embeddings()).reshape(q, -1).castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][][] probs = new double[vocabularies.size()][][];
        for (int v = 0; v < probs.length; v++) {
            probs[v] = probabilities(emb, vocabularies.get(v).castTo(DataType.DOUBLE).toDoubleMatrix());
        }
        return new ClipStitcher.Clip(start, m, (int) g.maskHeight(), (int) g.maskWidth(), probs, emb);
    }

    /**
     * The open-vocabulary head on query embeddings [Q][E]: softmax over exp(logit_scale) x the cosines against the
     * text embeddings [K][E] and the void embedding, void dropped. Normalisation as the graph's (x / (sqrt(|x|^2 +
     * 1e-24) + 1e-7)), in double where the graph computes in float.
     */
    double[][] probabilities(double[][] embeddings, double[][] text) {
        int k = text.length;
        double[][] classifier = new double[k + 1][];
        for (int i = 0; i < k; i++) {
            classifier[i] = normalise(text[i]);
        }
        classifier[k] = normalise(voidEmbedding);
        double scale = Math.exp(logitScale);
        double[][] out = new double[embeddings.length][k];
        double[] logits = new double[k + 1];
        for (int j = 0; j < embeddings.length; j++) {
            double[] e = normalise(embeddings[j]);
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i <= k; i++) {
                double dot = 0;
                for (int d = 0; d < e.length; d++) {
                    dot += e[d] * classifier[i][d];
                }
                logits[i] = dot * scale;
                max = Math.max(max, logits[i]);
            }
            double sum = 0;
            for (int i = 0; i <= k; i++) {
                logits[i] = Math.exp(logits[i] - max);
                sum += logits[i];
            }
            for (int i = 0; i < k; i++) {
                out[j][i] = logits[i] / sum;
            }
        }
        return out;
    }

    private static double[] normalise(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        double r = 1 / (Math.sqrt(s + 1e-24) + 1e-7);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * r;
        }
        return out;
    }

    private Graph build(long h, long w) {
        OpFixes.install();
        GraphContext ctx = GraphContext.builder().dtype(DataType.FLOAT).weights(weights).trainable(key -> false).build();
        SameDiff sd = ctx.sd();
        SDVariable images = sd.placeHolder("images", DataType.FLOAT, clipLength, 3, h, w);
        VideoGkcNetwork net = new VideoGkcNetwork(ctx, cfg, clipLength);
        GkcNetwork.Outputs o = net.forward(images);
        List<String> missing = ctx.initialisedKeys();
        if (!missing.isEmpty()) {
            throw GkcException.of("the weights do not fit the video network: missing %d %s", missing.size(), missing.subList(0, Math.min(5, missing.size())));
        }
        int last = o.sets() - 1;
        long[] ms = ctx.root().shape(o.masks().get(last));
        // the head's logits are taken outside the graph; its parameters must still be the ones the file holds
        return new Graph(sd, o.masks().get(last).name(), o.embeddings().get(last).name(), ms[1], ms[2] / clipLength, ms[3]);
    }

    /** Drops the built graphs so their memory can be reclaimed; the predictor stays usable. */
    public void close() {
        for (Graph g : graphs.values()) {
            GraphExecution.release(g.sd());   // the lean executor's buffers now, not when the collector finds the graph
            g.sd().clearPlaceholders(true);
            g.sd().clearOpInputs();
        }
        graphs.clear();
    }
}
