package org.gkc4j.model;

import org.gkc4j.nn.exec.GraphExecution;
import org.gkc4j.GkcException;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.Resize;
import org.gkc4j.nn.Scope;
import org.gkc4j.nn.fix.OpFixes;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The network in inference mode on normalised images of any size (zero-padded to multiples of 32, results cropped
 * back) against any text features. One graph per input shape and vocabulary size, kept for reuse.
 */
public final class GkcPredictor {
    /**
     * pred masks [L,N,Q,H'/s,W'/s] (padded size, s = the mask stride), class logits [L,N,Q,K+1], semantic scores
     * [N,K,H,W], and the final set's query embeddings [N,Q,E] (what the head compares with the text).
     */
    public record Result(INDArray predMasks, INDArray classLogits, INDArray semSeg, INDArray embeddings) {
    }

    private record Graph(SameDiff sd, List<String> masks, List<String> logits, String semSeg, String embeddings) {
    }

    private final GkcModelConfig cfg;
    private final Map<String, INDArray> weights;
    private final Map<String, Graph> graphs = new LinkedHashMap<>(), multiGraphs = new LinkedHashMap<>();
    private final DataType dtype;

    public GkcPredictor(GkcModelConfig cfg, Map<String, INDArray> weights) {
        this(cfg, weights, DataType.FLOAT);
    }

    public GkcPredictor(GkcModelConfig cfg, Map<String, INDArray> weights, DataType dtype) {
        this.cfg = cfg;
        this.weights = weights;
        this.dtype = dtype;
        checkWeights();
    }

    /** Builds a throwaway graph to name every missing and unexpected key in one error. */
    private void checkWeights() {
        OpFixes.install();
        GraphContext ctx = GraphContext.builder().dtype(dtype).weights(weights).trainable(k -> false).build();
        new GkcNetwork(ctx, cfg).forward(ctx.sd().placeHolder("images", dtype, 1, 3, 64, 64));
        List<String> missing = ctx.initialisedKeys();
        List<String> unexpected = ctx.unusedWeights().stream().filter(k -> !GkcNetwork.trainingOnly(k)).toList();
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw GkcException.of("the weights do not fit the network: missing %d %s; unexpected %d %s", missing.size(),
                    missing.subList(0, Math.min(5, missing.size())), unexpected.size(), unexpected.subList(0, Math.min(5, unexpected.size())));
        }
    }

    public Result run(INDArray images, INDArray textFeatures) {
        return run(images, textFeatures, null);
    }

    /**
     * As {@link #run(INDArray, INDArray)}, with {@code classBias} [K] (null: none) added to the class logits before
     * the semantic scores are formed; the returned class logits stay unbiased.
     */
    public Result run(INDArray images, INDArray textFeatures, INDArray classBias) {
        long n = images.size(0), h = images.size(2), w = images.size(3), k = textFeatures.size(0);
        INDArray padded = padToStride(images);
        long ph = padded.size(2), pw = padded.size(3);
        Graph g = graphs.computeIfAbsent(n + "x" + ph + "x" + pw + "x" + k, key -> build(n, ph, pw, k));
        List<String> names = new ArrayList<>(g.masks());
        names.addAll(g.logits());
        names.add(g.semSeg());
        names.add(g.embeddings());
        INDArray bias = Nd4j.zeros(dtype, k + 1);
        if (classBias != null) {
            if (classBias.length() != k) {
                throw GkcException.of("class bias has %d entries for %d classes", classBias.length(), k);
            }
            bias.get(NDArrayIndex.interval(0, k)).assign(classBias.reshape(k));
        }
        Map<String, INDArray> out = GraphExecution.output(g.sd(), Map.of("images", padded.castTo(dtype), "text_features", textFeatures.castTo(dtype),
                "class_bias", bias), names);
        INDArray masks = Nd4j.stack(0, g.masks().stream().map(out::get).toArray(INDArray[]::new));
        INDArray logits = Nd4j.stack(0, g.logits().stream().map(out::get).toArray(INDArray[]::new));
        return new Result(masks, logits, crop(out.get(g.semSeg()), h, w), out.get(g.embeddings()));
    }

    /** Images zero-padded at the bottom and right to multiples of the trunk's stride 32 (unchanged if they are). */
    private INDArray padToStride(INDArray images) {
        long n = images.size(0), h = images.size(2), w = images.size(3);
        long ph = (h + 31) / 32 * 32, pw = (w + 31) / 32 * 32;
        if (ph == h && pw == w) {
            return images;
        }
        INDArray padded = Nd4j.create(dtype, n, 3, ph, pw);
        padded.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, h), NDArrayIndex.interval(0, w)).assign(images);
        return padded;
    }

    /** Semantic scores of padded images cut back to the images' own h x w. */
    private static INDArray crop(INDArray sem, long h, long w) {
        if (sem.size(2) == h && sem.size(3) == w) {
            return sem;
        }
        return sem.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, h), NDArrayIndex.interval(0, w)).dup();
    }

    /**
     * Semantic scores [N,K_v,H,W] of images against each of several vocabularies [K_v,E] from one pass of the network:
     * one graph whose heads read the same query embeddings and masks (as {@link #run} computes them, vocabulary by
     * vocabulary). Images of any size, as {@link #run}.
     */
    public List<INDArray> semanticScores(INDArray images, List<INDArray> vocabularies) {
        long n = images.size(0), h = images.size(2), w = images.size(3);
        INDArray padded = padToStride(images);
        long ph = padded.size(2), pw = padded.size(3);
        long[] ks = vocabularies.stream().mapToLong(v -> v.size(0)).toArray();
        String key = n + "x" + ph + "x" + pw + "x" + java.util.Arrays.toString(ks);
        Graph g = multiGraphs.computeIfAbsent(key, k -> buildMulti(n, ph, pw, ks));
        Map<String, INDArray> in = new LinkedHashMap<>();
        in.put("images", padded.castTo(dtype));
        for (int v = 0; v < ks.length; v++) {
            in.put("text_features_" + v, vocabularies.get(v).castTo(dtype));
        }
        Map<String, INDArray> out = GraphExecution.output(g.sd(), in, g.logits());
        List<INDArray> sems = new ArrayList<>();
        for (String name : g.logits()) {
            sems.add(crop(out.get(name), h, w));
        }
        return sems;
    }

    /** The network once, then the final set's head and semantic scores per vocabulary (their names in {@code logits}). */
    private Graph buildMulti(long n, long h, long w, long[] ks) {
        OpFixes.install();
        GraphContext ctx = GraphContext.builder().dtype(dtype).weights(weights).trainable(key -> false).build();
        SameDiff sd = ctx.sd();
        SDVariable images = sd.placeHolder("images", dtype, n, 3, h, w);
        GkcNetwork net = new GkcNetwork(ctx, cfg);
        GkcNetwork.Outputs o = net.forward(images);
        int last = o.sets() - 1;
        List<String> sems = new ArrayList<>();
        for (int v = 0; v < ks.length; v++) {
            SDVariable text = sd.placeHolder("text_features_" + v, dtype, ks[v], cfg.head().embedDim());
            SDVariable logits = net.head().logits(o.embeddings().get(last), net.head().classifier(text), ks[v] + 1);
            sems.add(semanticScores(ctx.root(), logits, o.masks().get(last), ks[v], h, w).name());
        }
        return new Graph(sd, List.of(), sems, null, null);
    }

    /** Drops the built graphs (and the activations they hold) so their memory can be reclaimed; the predictor stays usable. */
    public void close() {
        for (Map<String, Graph> built : List.of(graphs, multiGraphs)) {
            for (Graph g : built.values()) {
                GraphExecution.release(g.sd());   // the lean executor's buffers now, not when the collector finds the graph
                g.sd().clearPlaceholders(true);
                g.sd().clearOpInputs();
            }
        }
        graphs.clear();
        multiGraphs.clear();
    }

    private Graph build(long n, long h, long w, long k) {
        OpFixes.install();
        GraphContext ctx = GraphContext.builder().dtype(dtype).weights(weights).trainable(key -> false).build();
        SameDiff sd = ctx.sd();
        SDVariable images = sd.placeHolder("images", dtype, n, 3, h, w);
        SDVariable text = sd.placeHolder("text_features", dtype, k, cfg.head().embedDim());
        SDVariable classBias = sd.placeHolder("class_bias", dtype, k + 1);
        GkcNetwork net = new GkcNetwork(ctx, cfg);
        GkcNetwork.Outputs o = net.forward(images);
        SDVariable classifier = net.head().classifier(text);
        List<String> masks = new ArrayList<>(), logits = new ArrayList<>();
        SDVariable lastLogits = null;
        for (int i = 0; i < o.sets(); i++) {
            masks.add(o.masks().get(i).name());
            lastLogits = net.head().logits(o.embeddings().get(i), classifier, k + 1);
            logits.add(lastLogits.name());
        }
        SDVariable sem = semanticScores(ctx.root(), lastLogits.add(classBias), o.masks().get(o.sets() - 1), k, h, w);
        return new Graph(sd, masks, logits, sem.name(), o.embeddings().get(o.sets() - 1).name());
    }

    /** sum over queries of softmax(logits) without void times sigmoid(masks upsampled to the input): [N,K,H,W]. */
    static SDVariable semanticScores(Scope scope, SDVariable logits, SDVariable masks, long k, long h, long w) {
        SameDiff sd = scope.sd();
        long[] ms = scope.shape(masks);
        long n = ms[0], q = ms[1];
        SDVariable probs = sd.nn().softmax(logits, 2)
                .get(org.nd4j.autodiff.samediff.SDIndex.all(), org.nd4j.autodiff.samediff.SDIndex.all(), org.nd4j.autodiff.samediff.SDIndex.interval(0L, k));
        SDVariable up = sd.nn().sigmoid(Resize.bilinear(scope, masks, h, w)).reshape(n, q, h * w);
        SDVariable sem = sd.mmul(probs.permute(0, 2, 1), up).reshape(n, k, h, w);
        return scope.withShape(sem, n, k, h, w);
    }
}
