package org.gkc4j.experiments;

import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.criterion.HungarianMatcher;
import org.gkc4j.data.ImageTargets;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcPredictor;
import org.gkc4j.pipeline.SampleSource;
import org.gkc4j.pipeline.SegmentationLoader;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.ShardedCache;
import org.gkc4j.pipeline.augment.Normalization;
import org.gkc4j.pipeline.teacher.TeacherFeatureStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The distillation teacher {@code distillation.target: start_network}: the network training starts from (a video
 * run's image checkpoint), frozen, names every training segment with the query its own matcher gives it, and that
 * query's unit-normalised embedding is the segment's teacher feature. Distilling it keeps the fine-tuned network's
 * class embeddings where the start network had them (learning without forgetting), against the pull of seen-only
 * training towards the seen names; not in the paper.
 * <p>
 * The match is the training matcher's ({@link HungarianMatcher}: class, mask BCE and dice costs of the criterion) at
 * the centre of every mask cell, so it is deterministic; a segment left without a query (more segments than queries)
 * or without a training label gets a zero row, which distillation skips.
 */
final class StartNetworkTeacher {
    private static final int BATCH = 8;

    private StartNetworkTeacher() {
    }

    /**
     * Teacher features of every non-crowd segment of {@code source} (labels index {@code classText}'s rows), cached
     * in {@code dir} in shards of {@code shardSize} samples (an interrupted computation resumes at its last shard).
     */
    static TeacherFeatureStore features(SampleSource source, GkcModelConfig model, Map<String, INDArray> weights, INDArray classText,
                                        CriterionConfig costs, java.nio.file.Path dir, int shardSize) {
        ShardedCache<TeacherFeatureStore> cache = new ShardedCache<>(dir, TeacherFeatureStore.SHARDS, shardSize);
        int n = source.size();
        if (cache.isComplete(n)) {
            System.err.println("gkc: reusing cached start-network teacher features " + dir);
            return TeacherFeatureStore.sharded(cache);
        }
        GkcPredictor predictor = new GkcPredictor(model, weights);
        HungarianMatcher matcher = new HungarianMatcher(costs);
        List<List<String>> ids = new ArrayList<>();
        try (ProgressBar bar = new ProgressBar("start-network teacher", n, "images")) {
            for (int shard = 0; shard < cache.shards(n); shard++) {
                int from = shard * cache.shardSize(), to = Math.min(n, from + cache.shardSize());
                if (cache.hasShard(shard)) {
                    ids.add(new ArrayList<>(cache.shard(shard).sampleIds()));
                    bar.step(to, "cached");
                    continue;
                }
                TeacherFeatureStore content = TeacherFeatureStore.empty();
                List<SegmentationSample> pending = new ArrayList<>();
                for (int i = from; i < to; i++) {
                    SegmentationSample s = source.get(i);
                    if (!pending.isEmpty() && (s.width() != pending.get(0).width() || s.height() != pending.get(0).height() || pending.size() == BATCH)) {
                        describe(pending, predictor, matcher, classText, content);
                    }
                    pending.add(s);
                    bar.step(i + 1, "");
                }
                describe(pending, predictor, matcher, classText, content);
                cache.writeShard(shard, content);
                ids.add(new ArrayList<>(content.sampleIds()));
            }
        } finally {
            predictor.close();
        }
        cache.complete(n, ids);
        return TeacherFeatureStore.sharded(cache);
    }

    /** The frames of one size through the start network, each segment's matched embedding put in {@code into}; clears {@code frames}. */
    private static void describe(List<SegmentationSample> frames, GkcPredictor predictor, HungarianMatcher matcher, INDArray classText,
                                 TeacherFeatureStore into) {
        if (frames.isEmpty()) {
            return;
        }
        int b = frames.size(), h = frames.get(0).height(), w = frames.get(0).width();
        INDArray images = Nd4j.create(Normalization.IMAGENET.batch(frames.stream().map(SegmentationSample::image).toList(), b), new long[]{b, 3, h, w}, 'c');
        GkcPredictor.Result r = predictor.run(images, classText);
        long sets = r.predMasks().size(0);
        INDArray masks = r.predMasks().get(NDArrayIndex.point(sets - 1));                       // [B,Q,h',w'] of the padded input
        INDArray logits = r.classLogits().get(NDArrayIndex.point(sets - 1)).castTo(DataType.DOUBLE);   // [B,Q,K+1]
        int[] cells = frameCells(masks.size(2), masks.size(3), h, w);
        int mh = cells[0], mw = cells[1];
        double[][] points = cellCentres(mh, mw);
        for (int f = 0; f < b; f++) {
            SegmentationSample s = frames.get(f);
            ImageTargets all = SegmentationLoader.targetsOf(s);
            INDArray frameMasks = masks.get(NDArrayIndex.point(f), NDArrayIndex.all(), NDArrayIndex.interval(0, mh), NDArrayIndex.interval(0, mw)).dup();
            INDArray embeddings = r.embeddings().get(NDArrayIndex.point(f)).castTo(DataType.DOUBLE);   // [Q,E]
            into.put(s.id(), nonCrowdIds(s), matchedEmbeddings(all, frameMasks, Transforms.softmax(logits.get(NDArrayIndex.point(f)), true), embeddings, matcher, points));
        }
        frames.clear();
    }

    /**
     * One row per target (the sample's non-crowd segments, in order): the unit-normalised embedding of the query the
     * matcher gives it, or zeros for a target with no training label, no pixel or no query.
     */
    static INDArray matchedEmbeddings(ImageTargets targets, INDArray masks, INDArray probs, INDArray embeddings, HungarianMatcher matcher,
                                      double[][] points) {
        int n = targets.count();
        INDArray rows = Nd4j.zeros(DataType.FLOAT, Math.max(n, 0), embeddings.size(1));
        List<Integer> labelled = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            if (targets.labels()[j] >= 0 && targets.masks().get(NDArrayIndex.point(j)).sumNumber().doubleValue() > 0) {
                labelled.add(j);
            }
        }
        if (labelled.isEmpty()) {
            return rows;
        }
        int[] keep = labelled.stream().mapToInt(Integer::intValue).toArray();
        INDArray keptMasks = Nd4j.create(DataType.FLOAT, keep.length, targets.masks().size(1), targets.masks().size(2));
        int[] labels = new int[keep.length];
        for (int k = 0; k < keep.length; k++) {
            keptMasks.get(NDArrayIndex.point(k)).assign(targets.masks().get(NDArrayIndex.point(keep[k])));
            labels[k] = targets.labels()[keep[k]];
        }
        int[] query = matcher.match(masks, probs, ImageTargets.plain(keptMasks, labels), points);
        for (int k = 0; k < keep.length; k++) {
            if (query[k] >= 0) {
                INDArray e = embeddings.getRow(query[k]);
                rows.getRow(keep[k]).assign(e.div(e.norm2Number().doubleValue()).castTo(DataType.FLOAT));
            }
        }
        return rows;
    }

    /**
     * The rows and columns of mask cells that cover an h x w frame, out of the maskH x maskW cells of its input padded
     * at the bottom and right to multiples of 32; a cell partly inside counts.
     */
    static int[] frameCells(long maskH, long maskW, int h, int w) {
        long padH = (h + 31) / 32 * 32, padW = (w + 31) / 32 * 32;
        return new int[]{(int) Math.ceil(maskH * (double) h / padH), (int) Math.ceil(maskW * (double) w / padW)};
    }

    /** Normalised (x, y) of the centre of every cell of an h x w grid, row by row. */
    static double[][] cellCentres(int h, int w) {
        double[] xs = new double[h * w], ys = new double[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                xs[y * w + x] = (x + 0.5) / w;
                ys[y * w + x] = (y + 0.5) / h;
            }
        }
        return new double[][]{xs, ys};
    }

    private static long[] nonCrowdIds(SegmentationSample s) {
        return s.segments().stream().filter(g -> !g.crowd()).mapToLong(g -> g.id()).toArray();
    }

    /** A short fingerprint of a network's weights (names, shapes, values; any map order), so caches of different start networks never mix. */
    static String fingerprint(Map<String, INDArray> weights) {
        return org.gkc4j.io.TensorBytes.digest(new TreeMap<>(weights));
    }
}
