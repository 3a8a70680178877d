package org.gkc4j.experiments;

import org.gkc4j.pipeline.synthetic.SyntheticWorld;
import org.gkc4j.clip.ClipImageEncoder;
import org.gkc4j.clip.ClipWeights;
import org.gkc4j.pipeline.SampleSource;
import org.gkc4j.pipeline.ShardedCache;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.augment.Normalization;
import org.gkc4j.pipeline.teacher.TeacherCrops;
import org.gkc4j.pipeline.teacher.TeacherFeatureStore;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegionFeaturesTest {
    @TempDir
    Path dir;

    @Test
    void cachedTeacherFeaturesEqualFreshlyComputedOnes() throws Exception {
        ClipWeights clip = ClipWeights.load(Shared.require("fixtures/clip-rn-tiny/clip.safetensors"));
        SyntheticBenchmark bench = new SyntheticBenchmark(new SyntheticWorld(), 64);
        SampleSource source = bench.train(5, 0);
        Path file = dir.resolve("teacher");
        TeacherFeatureStore computed = RegionFeatures.teacher(source, clip, RunConfig.TeacherTarget.GLOBAL, file, 2);
        assertEquals(3, java.nio.file.Files.list(file).filter(f -> f.getFileName().toString().startsWith("shard-")).count(), "5 images in shards of 2");
        // shards of another size are not taken for these: a cache of size 3 in the same folder computes its own
        TeacherFeatureStore bySize3 = RegionFeatures.teacher(source, clip, RunConfig.TeacherTarget.GLOBAL, file, 3);
        assertEquals(2, java.nio.file.Files.list(file).filter(f -> f.getFileName().toString().endsWith("-of-3.safetensors")).count());
        assertEquals(computed.size(), bySize3.size());
        // an interrupted computation (shard 1 never written) resumes: shards on disk are kept as they are (shard 0 is
        // marked to tell), only the missing one is computed, and a finished cache is read, not recomputed
        ShardedCache<TeacherFeatureStore> shards = new ShardedCache<>(file, TeacherFeatureStore.SHARDS, 2);
        shards.writeShard(0, shards.shard(0).mapRows(b -> b.mul(0).addi(7)));
        java.nio.file.Files.delete(shards.shardFile(1));
        TeacherFeatureStore cached = RegionFeatures.teacher(source, clip, RunConfig.TeacherTarget.GLOBAL, file, 2);
        for (TeacherFeatureStore st : List.of(cached, RegionFeatures.teacher(source, clip, RunConfig.TeacherTarget.GLOBAL, file, 2))) {
            assertEquals(7.0, st.get(source.get(1).id(), source.get(1).segments().get(0).id()).getDouble(0), 0.0);
        }
        assertEquals(computed.size(), cached.size());
        // an independent computation of one segment's feature: its masked crop through the image tower
        SegmentationSample s = source.get(3);
        int size = clip.config().imageResolution();
        float[] pixels = new float[3 * size * size];
        Normalization.CLIP.apply(TeacherCrops.crop(s, 1, size), pixels, 0);
        INDArray direct = new ClipImageEncoder(clip, 1, size, size, false).encode(Nd4j.create(pixels, new long[]{1, 3, size, size}, 'c')).reshape(-1);
        long id = s.segments().get(1).id();
        for (TeacherFeatureStore st : new TeacherFeatureStore[]{computed, cached}) {
            INDArray f = st.get(s.id(), id).reshape(-1);
            double diff = f.sub(direct).amaxNumber().doubleValue() / direct.amaxNumber().doubleValue();
            assertTrue(diff < 1e-5, "cached and fresh teacher features differ by " + diff);
        }
    }

    @Test
    void teacherReportCountsTheSegmentsWhoseFeatureIsNearestToItsOwnClassName() {
        SyntheticBenchmark bench = new SyntheticBenchmark(new SyntheticWorld(), 64);
        SampleSource source = bench.train(6, 0);
        List<String> classes = bench.trainClasses();
        int n = classes.size(), dim = 32;
        // orthogonal class directions, so the nearest name of a feature is known by construction
        INDArray text = Nd4j.eye(Math.max(n, dim)).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, dim)).dup().muli(3.0);
        TeacherFeatureStore store = TeacherFeatureStore.empty();
        long right = 0, total = 0;
        long[] perClassRight = new long[n], perClassTotal = new long[n];
        for (int i = 0; i < source.size(); i++) {
            SegmentationSample s = source.get(i);
            long[] ids = new long[s.segments().size()];
            INDArray rows = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, ids.length, dim);
            for (int k = 0; k < ids.length; k++) {
                ids[k] = s.segments().get(k).id();
                int truth = s.segments().get(k).classIndex();
                // even samples: the feature points at the right name (scaled, which must not matter); odd: the next one
                boolean correct = i % 2 == 0;
                int pointsAt = correct ? truth : (truth + 1) % n;
                rows.putRow(k, text.getRow(pointsAt).mul(correct ? 0.5 : 2.0).add(0.01));
                total++;
                perClassTotal[truth]++;
                if (correct) {
                    right++;
                    perClassRight[truth]++;
                }
            }
            store.put(s.id(), ids, rows);
        }
        Map<String, Object> report = RegionFeatures.teacherReport(source, store, text, classes);
        assertEquals(total, ((Number) report.get("segments")).longValue());
        assertEquals(100.0 * right / total, (double) report.get("top1"), 1e-9);
        double mean = 0;
        int present = 0;
        for (int c = 0; c < n; c++) {
            if (perClassTotal[c] > 0) {
                mean += 100.0 * perClassRight[c] / perClassTotal[c];
                present++;
            }
        }
        assertEquals(mean / present, (double) report.get("mean_class_top1"), 1e-9);
        assertTrue(right > 0 && right < total, "the fixture has both right and wrong segments");
        assertNull(RegionFeatures.teacherReport(source, store, Nd4j.ones(n, dim + 1), classes),
                "a teacher outside the text space (dense or res5 target) has no report");
    }
}
