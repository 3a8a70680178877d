package org.gkc4j.experiments;

import org.gkc4j.clip.ClipImageEncoder;
import org.gkc4j.clip.ClipTokenizer;
import org.gkc4j.clip.ClipTextEncoder;
import org.gkc4j.clip.ClipWeights;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.ShardedCache;
import org.gkc4j.pipeline.SampleSource;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.augment.Normalization;
import org.gkc4j.pipeline.teacher.TeacherCrops;
import org.gkc4j.pipeline.teacher.TeacherFeatureStore;
import org.gkc4j.pipeline.text.SynonymScores;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the frozen CLIP image encoder says about every training segment, computed once per dataset and cached:
 * the distillation teacher's feature of each masked crop, and the plausibility of each synonym of the segment's
 * class on its box crop ({@code gkc synonyms score}).
 */
public final class RegionFeatures {
    private static final int BATCH = 64;

    private RegionFeatures() {
    }

    private record Crop(String sample, long segment, int classIndex, RgbImage image) {
    }

    /**
     * Fills a sharded cache from {@code source}: for every shard not yet on disk, every non-crowd segment's crop of
     * its images through the encoder in batches ({@code masked}: grey outside, the teacher's crop; else the box
     * crop), handed to {@code onBatch}; {@code finish} then returns the shard's content and its sample ids, and the
     * shard is written at once. Shards already on disk (an interrupted run's) are kept; the index comes last.
     */
    private static <S> void fill(SampleSource source, ShardedCache<S> cache, int size, boolean masked, String label,
                                 java.util.function.Supplier<ClipImageEncoder> encoder, List<String> outputs,
                                 java.util.function.BiConsumer<List<Crop>, INDArray> onBatch,
                                 java.util.function.Supplier<S> finish, java.util.function.Function<S, java.util.Collection<String>> keys) {
        int n = source.size();
        List<List<String>> ids = new ArrayList<>();
        ClipImageEncoder enc = null;
        List<Crop> pending = new ArrayList<>();
        try (ProgressBar bar = new ProgressBar(label, n, "images")) {
            for (int shard = 0; shard < cache.shards(n); shard++) {
                int from = shard * cache.shardSize(), to = Math.min(n, from + cache.shardSize());
                if (cache.hasShard(shard)) {
                    ids.add(new ArrayList<>(keys.apply(cache.shard(shard))));
                    bar.step(to, "cached");
                    continue;
                }
                if (enc == null) {
                    enc = encoder.get();
                }
                for (int i = from; i < to; i++) {
                    SegmentationSample s = source.get(i);
                    for (int k = 0; k < s.segments().size(); k++) {
                        Segment g = s.segments().get(k);
                        if (g.crowd() || TeacherCrops.box(s, k) == null) {
                            continue;
                        }
                        RgbImage crop = masked ? TeacherCrops.crop(s, k, size) : TeacherCrops.boxCrop(s, k, size);
                        pending.add(new Crop(s.id(), g.id(), g.classIndex(), crop));
                        if (pending.size() == BATCH) {
                            flush(pending, size, enc, outputs, onBatch);
                        }
                    }
                    bar.step(i + 1, "");
                }
                if (!pending.isEmpty()) {
                    flush(pending, size, enc, outputs, onBatch);
                }
                S content = finish.get();
                cache.writeShard(shard, content);
                ids.add(new ArrayList<>(keys.apply(content)));
            }
        }
        cache.complete(n, ids);
    }

    private static void flush(List<Crop> crops, int size, ClipImageEncoder enc, List<String> outputs,
                              java.util.function.BiConsumer<List<Crop>, INDArray> consumer) {
        float[] pixels = Normalization.CLIP.batch(crops.stream().map(Crop::image).toList(), BATCH);
        Map<String, INDArray> out = enc.run(Nd4j.create(pixels, new long[]{BATCH, 3, size, size}, 'c'), outputs);
        INDArray f = out.get(outputs.get(0));
        if (f.rank() == 4) {
            f = f.mean(2, 3);
        }
        consumer.accept(new ArrayList<>(crops), f.get(NDArrayIndex.interval(0, crops.size())).dup());
        crops.clear();
    }

    /** The width of the teacher features {@link #teacher} gives for {@code target}: the joint embedding, or layer4's channels. */
    public static int teacherWidth(org.gkc4j.clip.ClipConfig clip, RunConfig.TeacherTarget target) {
        return target == RunConfig.TeacherTarget.RES5_POOLED ? clip.visionEmbed() : clip.embedDim();
    }

    /**
     * Teacher features of every segment of {@code source}, cached in the folder {@code dir} in shards of {@code
     * shardSize} images (resumed where an interrupted computation stopped) and read back a few shards at a time.
     */
    public static TeacherFeatureStore teacher(SampleSource source, ClipWeights clip, RunConfig.TeacherTarget target, Path dir, int shardSize) {
        ShardedCache<TeacherFeatureStore> cache = new ShardedCache<>(dir, TeacherFeatureStore.SHARDS, shardSize);
        if (cache.isComplete(source.size())) {
            System.err.println("gkc: reusing cached teacher features " + dir);
            return TeacherFeatureStore.sharded(cache);
        }
        int size = clip.config().imageResolution();
        boolean dense = target == RunConfig.TeacherTarget.DENSE_POOLED;
        String out = switch (target) {
            case GLOBAL -> ClipImageEncoder.GLOBAL;
            case DENSE_POOLED -> ClipImageEncoder.DENSE;
            case RES5_POOLED -> "layer4";
            case START_NETWORK -> throw new IllegalArgumentException("the start network's features are StartNetworkTeacher's, not CLIP's");
        };
        Map<String, List<Long>> ids = new LinkedHashMap<>();
        Map<String, List<INDArray>> rows = new LinkedHashMap<>();
        fill(source, cache, size, true, "teacher features", () -> new ClipImageEncoder(clip, BATCH, size, size, dense), List.of(out), (crops, f) -> {
            for (int i = 0; i < crops.size(); i++) {
                ids.computeIfAbsent(crops.get(i).sample(), k -> new ArrayList<>()).add(crops.get(i).segment());
                rows.computeIfAbsent(crops.get(i).sample(), k -> new ArrayList<>()).add(f.getRow(i).reshape(1, -1));
            }
        }, () -> {
            TeacherFeatureStore st = TeacherFeatureStore.empty();
            rows.forEach((k, r) -> st.put(k, ids.get(k).stream().mapToLong(Long::longValue).toArray(), Nd4j.vstack(r.toArray(new INDArray[0]))));
            ids.clear();
            rows.clear();
            return st;
        }, TeacherFeatureStore::sampleIds);
        return TeacherFeatureStore.sharded(cache);
    }

    /** One training segment, its teacher feature and the index of the training name nearest to it. */
    public interface TeacherPrediction {
        void accept(SegmentationSample sample, Segment segment, INDArray feature, int nearest);
    }

    /**
     * Visits every non-crowd segment of {@code source} that has a teacher feature, in sample and segment order, with
     * the training name (a row of {@code classText} [classes, E], compared by cosine) its feature is nearest to.
     */
    public static void forEachTeacherPrediction(SampleSource source, TeacherFeatureStore store, INDArray classText, TeacherPrediction visit) {
        INDArray text = classText.divColumnVector(classText.norm2(1).reshape(-1, 1));
        for (int i = 0; i < source.size(); i++) {
            SegmentationSample s = source.get(i);
            for (Segment g : s.segments()) {
                INDArray f = g.crowd() ? null : store.get(s.id(), g.id());
                if (f != null) {
                    visit.accept(s, g, f, Nd4j.argMax(text.mmul(f.reshape(-1, 1).castTo(text.dataType())).reshape(-1)).getInt(0));
                }
            }
        }
    }

    /**
     * How well the distillation teacher itself names the training segments: each segment's teacher feature against
     * the text embeddings {@code classText} [classes, E] of the training vocabulary, top-1 per class and overall.
     * The student is pulled towards these features, so their accuracy bounds what distillation can teach.
     * Returns null when the teacher target is not in the text embedding space (dense or res5 targets).
     */
    public static Map<String, Object> teacherReport(SampleSource source, TeacherFeatureStore store, INDArray classText, List<String> classes) {
        if (store.dim() != classText.size(1)) {
            return null;
        }
        long[] correct = new long[classes.size()], total = new long[classes.size()];
        forEachTeacherPrediction(source, store, classText, (sample, segment, feature, nearest) -> {
            total[segment.classIndex()]++;
            if (nearest == segment.classIndex()) {
                correct[segment.classIndex()]++;
            }
        });
        Map<String, Object> perClass = new LinkedHashMap<>();
        double sumAccuracy = 0;
        int present = 0;
        for (int c = 0; c < classes.size(); c++) {
            if (total[c] > 0) {
                double acc = 100.0 * correct[c] / total[c];
                perClass.put(classes.get(c), acc);
                sumAccuracy += acc;
                present++;
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("segments", Arrays.stream(total).sum());
        report.put("top1", 100.0 * Arrays.stream(correct).sum() / Math.max(1, Arrays.stream(total).sum()));
        report.put("mean_class_top1", sumAccuracy / Math.max(1, present));
        report.put("class_top1", perClass);
        return report;
    }

    /**
     * Per-segment softmax over "a photo of {synonym}" of the segment's class's synonyms, at the CLIP's own logit
     * scale, on the segment's box crop (the authors' scoring, with our CLIP); cached in the folder {@code dir} in
     * shards of {@code shardSize} images, resumed where an interrupted computation stopped.
     */
    public static SynonymScores synonymScores(SampleSource source, ClipWeights clip, ClipTokenizer tok, List<String> classNames,
                                              Map<String, List<String>> synonyms, Path dir, int shardSize) {
        ShardedCache<SynonymScores> cache = new ShardedCache<>(dir, SynonymScores.SHARDS, shardSize);
        if (cache.isComplete(source.size())) {
            System.err.println("gkc: reusing cached synonym scores " + dir);
            return SynonymScores.sharded(cache);
        }
        int size = clip.config().imageResolution();
        ClipTextEncoder text = new ClipTextEncoder(clip, tok, 64);
        Map<String, INDArray> classText = new LinkedHashMap<>();
        for (String c : classNames) {
            List<String> syn = synonyms.getOrDefault(c, List.of());
            if (!syn.isEmpty()) {
                INDArray t = text.encode(syn.stream().map(x -> "a photo of " + x.replace('_', ' ') + ".").toList());
                classText.put(c, t.divColumnVector(t.norm2(1).reshape(-1, 1)));
            }
        }
        double scale = Math.exp(clip.tensors().get("logit_scale").getDouble(0));
        SynonymScores[] scores = {SynonymScores.empty()};
        fill(source, cache, size, false, "synonym scores", () -> new ClipImageEncoder(clip, BATCH, size, size, false), List.of(ClipImageEncoder.GLOBAL), (crops, f) -> {
            INDArray fn = f.divColumnVector(f.norm2(1).reshape(-1, 1));
            for (int i = 0; i < crops.size(); i++) {
                String cls = classNames.get(crops.get(i).classIndex());
                INDArray t = classText.get(cls);
                if (t == null) {
                    continue;
                }
                INDArray logits = t.mmul(fn.getRow(i).reshape(-1, 1)).muli(scale).reshape(-1);
                INDArray p = Transforms.softmax(logits.castTo(DataType.DOUBLE).reshape(1, -1), true).reshape(-1);
                Map<String, Double> m = new LinkedHashMap<>();
                List<String> syn = synonyms.get(cls);
                for (int k = 0; k < syn.size(); k++) {
                    m.put(syn.get(k), p.getDouble(k));
                }
                scores[0].put(crops.get(i).sample(), crops.get(i).segment(), m);
            }
        }, () -> {
            SynonymScores done = scores[0];
            scores[0] = SynonymScores.empty();
            return done;
        }, SynonymScores::sampleIds);
        return SynonymScores.sharded(cache);
    }
}
