package org.gkc4j.experiments;

import org.gkc4j.clip.ClipImageEncoder;
import org.gkc4j.clip.ClipWeights;
import org.gkc4j.pipeline.SampleSource;
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

import static org.junit.jupiter.api.Assertions.assertTrue;

class RegionFeaturesTest {
    @TempDir
    Path dir;

    @Test
    void cachedTeacherFeaturesEqualFreshlyComputedOnes() {
        ClipWeights clip = ClipWeights.load(Shared.require("fixtures/clip-rn-tiny/clip.safetensors"));
        SyntheticBenchmark bench = new SyntheticBenchmark(64);
        SampleSource source = bench.train(5, 0);
        Path file = dir.resolve("teacher.safetensors");
        TeacherFeatureStore computed = RegionFeatures.teacher(source, clip, RunConfig.TeacherTarget.GLOBAL, file);
        TeacherFeatureStore cached = RegionFeatures.teacher(source, clip, RunConfig.TeacherTarget.GLOBAL, file);
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
}
