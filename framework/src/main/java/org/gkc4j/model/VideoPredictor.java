package org.gkc4j.model;

import org.gkc4j.nn.exec.GraphExecution;
import org.gkc4j.GkcException;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.fix.OpFixes;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The video network in inference mode on whole videos: clips of {@code clipLength} frames overlapping by
 * {@code overlap}, each run once, folded into tracks by a {@link ClipStitcher} as they come. One graph holds the
 * network once and one {@link OpenVocabularyHead} classification per vocabulary (the graph's own head, as
 * {@link GkcPredictor#semanticScores} does for images), so a video costs one network pass however many vocabularies
 * label it; the stitching reads only the masks and query embeddings, so the tracks are the same for every
 * vocabulary. Frames are normalised, their size a multiple of 32. One graph per frame size and vocabulary sizes.
 */
public final class VideoPredictor {
    private record Graph(SameDiff sd, String masks, String embeddings, List<String> probabilities, long queries, long maskHeight, long maskWidth) {
    }

    private final GkcModelConfig cfg;
    private final Map<String, INDArray> weights;
    private final int clipLength, overlap;
    private final ClipStitcher stitcher;
    private final Map<String, Graph> graphs = new LinkedHashMap<>();
    private int peakFullResolutionFrames;

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
        long[] ks = vocabularies.stream().mapToLong(v -> v.size(0)).toArray();
        Graph g = graphs.computeIfAbsent(h + "x" + w + "x" + Arrays.toString(ks), key -> build(h, w, ks));
        Map<String, INDArray> in = new LinkedHashMap<>();
        in.put("images", clipFrames.castTo(DataType.FLOAT));
        for (int v = 0; v < ks.length; v++) {
            in.put("text_features_" + v, vocabularies.get(v).castTo(DataType.FLOAT));
        }
        List<String> names = new ArrayList<>(List.of(g.masks(), g.embeddings()));
        names.addAll(g.probabilities());
        Map<String, INDArray> out = GraphExecution.output(g.sd(), in, names);
        int q = (int) g.queries(), t = clipLength, hw = (int) (g.maskHeight() * g.maskWidth());
        float[] all = out.get(g.masks()).dup('c').data().asFloat();   // [1, Q, T*h, w]: a query's frames one after another
        float[][][] m = new float[q][t][];
        for (int i = 0; i < q; i++) {
            for (int j = 0; j < t; j++) {
                m[i][j] = Arrays.copyOfRange(all, (i * t + j) * hw, (i * t + j + 1) * hw);
            }
        }
        double[][] emb = out.get(g.embeddings()).reshape(q, -1).castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][][] probs = new double[ks.length][][];
        for (int v = 0; v < ks.length; v++) {
            probs[v] = out.get(g.probabilities().get(v)).reshape(q, ks[v]).castTo(DataType.DOUBLE).toDoubleMatrix();
        }
        return new ClipStitcher.Clip(start, m, (int) g.maskHeight(), (int) g.maskWidth(), probs, emb);
    }

    /** The network once; then, per vocabulary, the final set's head: softmax over its logits, void dropped ([1,Q,K_v]). */
    private Graph build(long h, long w, long[] ks) {
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
        List<String> probs = new ArrayList<>();
        for (int v = 0; v < ks.length; v++) {
            SDVariable text = sd.placeHolder("text_features_" + v, DataType.FLOAT, ks[v], cfg.head().embedDim());
            SDVariable logits = net.head().logits(o.embeddings().get(last), net.head().classifier(text), ks[v] + 1);
            probs.add(sd.nn().softmax(logits, 2).get(SDIndex.all(), SDIndex.all(), SDIndex.interval(0L, ks[v])).name());
        }
        return new Graph(sd, o.masks().get(last).name(), o.embeddings().get(last).name(), probs, ms[1], ms[2] / clipLength, ms[3]);
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
