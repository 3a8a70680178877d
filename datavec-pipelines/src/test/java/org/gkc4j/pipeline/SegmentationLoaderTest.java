package org.gkc4j.pipeline;

import org.gkc4j.GkcException;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.pipeline.augment.AugmentConfig;
import org.gkc4j.pipeline.augment.Normalization;
import org.gkc4j.pipeline.synthetic.SceneGenerator;
import org.gkc4j.pipeline.synthetic.SyntheticRecordReader;
import org.gkc4j.pipeline.synthetic.SyntheticWorld;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentationLoaderTest {
    private static SampleSource synthetic() {
        SceneGenerator gen = new SceneGenerator(new SyntheticWorld(), 64);
        return new RecordReaderSource(new SyntheticRecordReader(gen), SyntheticRecordReader.split(1000, 37, SceneGenerator.Split.SEEN), "synthetic");
    }

    private static LoaderConfig cfg(int threads) {
        return new LoaderConfig(4, threads, 3, 11, AugmentConfig.authors(48), false);
    }

    @Test
    void batchesDependOnlyOnSeedAndPosition() {
        try (SegmentationLoader one = new SegmentationLoader(synthetic(), cfg(1), Normalization.IMAGENET, List.of());
             SegmentationLoader two = new SegmentationLoader(synthetic(), cfg(2), Normalization.IMAGENET, List.of());
             SegmentationLoader resumed = new SegmentationLoader(synthetic(), cfg(2), Normalization.IMAGENET, List.of())) {
            TrainingBatch[] a = new TrainingBatch[12];
            for (int i = 0; i < 12; i++) {
                a[i] = one.next();
                TrainingBatch b = two.next();
                assertEquals(a[i].images(), b.images(), "batch " + i);
                assertEquals(a[i].targets().get(0).count(), b.targets().get(0).count());
            }
            resumed.seek(9);
            assertEquals(a[9].images(), resumed.next().images(), "seek resumes exactly");
            assertEquals(a[10].targets().get(3).masks(), resumed.next().targets().get(3).masks());
            assertEquals(11, resumed.position());
        }
    }

    @Test
    void samplesPassThroughDataVecRecordsUnchanged() {
        SceneGenerator gen = new SceneGenerator(new SyntheticWorld(), 64);
        SegmentationSample direct = gen.scene(1005, SceneGenerator.Split.SEEN);
        SegmentationSample viaRecords = synthetic().get(5);
        org.junit.jupiter.api.Assertions.assertArrayEquals(direct.image().data(), viaRecords.image().data());
        org.junit.jupiter.api.Assertions.assertArrayEquals(direct.segmentMap(), viaRecords.segmentMap());
        assertEquals(direct.segments(), viaRecords.segments());
        assertEquals(direct.captions(), viaRecords.captions());
    }

    @Test
    void masksMatchLabelsAndImagesAreNormalised() {
        try (SegmentationLoader l = new SegmentationLoader(synthetic(), cfg(1), Normalization.IMAGENET, List.of())) {
            TrainingBatch b = l.next();
            assertEquals(4, b.size());
            assertEquals(48, b.images().size(2));
            double mean = b.images().meanNumber().doubleValue();
            assertTrue(Math.abs(mean) < 2, "normalised pixels: mean " + mean);
            var t = b.targets().get(0);
            assertEquals(t.count(), t.masks().size(0));
            double covered = t.masks().sum(0).maxNumber().doubleValue();
            assertEquals(1.0, covered, 1e-9, "segments do not overlap");
        }
    }

    @Test
    void damagedSamplesAreSkippedAndCountedOrFailTheRun() {
        SampleSource flaky = new SampleSource() {
            final SampleSource inner = synthetic();
            public int size() { return inner.size(); }
            public SegmentationSample get(int i) {
                if (i % 5 == 0) throw new GkcException("cannot decode image broken-" + i + ".jpg");
                return inner.get(i);
            }
            public String name() { return "flaky"; }
        };
        try (SegmentationLoader l = new SegmentationLoader(flaky, cfg(2), Normalization.IMAGENET, List.of())) {
            for (int i = 0; i < 10; i++) l.next();
            assertTrue(l.report().summary().samplesSkipped() > 0);
            assertTrue(l.report().summary().messages().get(0).contains("cannot decode"));
        }
        LoaderConfig strict = new LoaderConfig(4, 1, 1, 11, AugmentConfig.authors(48), true);
        try (SegmentationLoader l = new SegmentationLoader(flaky, strict, Normalization.IMAGENET, List.of())) {
            GkcException e = assertThrows(GkcException.class, () -> { for (int i = 0; i < 10; i++) l.next(); });
            assertTrue(e.getMessage().contains("cannot decode"));
        }
    }
}
