package org.gkc4j.experiments;

import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.SampleSource;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.teacher.TeacherFeatureStore;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TeacherAgreementTest {
    private static SegmentationSample sample(String id, Segment... segments) {
        return new SegmentationSample(id, RgbImage.blank(2, 2), new int[4], List.of(segments), List.of());
    }

    /**
     * Three names along the axes of a 3-d text space; each teacher feature is written to be nearest to one of them, so
     * which segments agree with their labels is known by construction.
     */
    @Test
    void onlySegmentsWhoseTeacherIsNearestToTheirOwnNameKeepIt() {
        INDArray text = Nd4j.createFromArray(new double[][]{{2, 0, 0}, {0, 1, 0}, {0, 0, 3}});
        List<SegmentationSample> samples = List.of(
                sample("a", new Segment(1, 0, false), new Segment(2, 1, false), new Segment(3, 2, true)),
                sample("b", new Segment(7, 2, false)));
        TeacherFeatureStore store = TeacherFeatureStore.empty();
        store.put("a", new long[]{1, 2}, Nd4j.createFromArray(new double[][]{{0.9, 0.3, 0.1}, {0.1, 0.2, 0.8}}).castTo(DataType.FLOAT));
        store.put("b", new long[]{7}, Nd4j.createFromArray(new double[][]{{0.2, 0.1, 0.5}}).castTo(DataType.FLOAT));
        SampleSource source = new SampleSource() {
            public int size() {
                return samples.size();
            }

            public SegmentationSample get(int index) {
                return samples.get(index);
            }

            public String name() {
                return "two scenes";
            }
        };
        TeacherAgreement.Filtered f = TeacherAgreement.keepAgreeing(source, store, text);
        assertEquals(3, f.segments(), "the crowd segment is not counted");
        assertEquals(2, f.kept(), "segment 2 (class 1) has a teacher nearest to class 2");
        assertArrayEquals(new float[]{0.9f, 0.3f, 0.1f}, f.store().get("a", 1).toFloatVector(), 0f);
        assertArrayEquals(new float[]{0, 0, 0}, f.store().get("a", 2).toFloatVector(), 0f);
        assertArrayEquals(new float[]{0.2f, 0.1f, 0.5f}, f.store().get("b", 7).toFloatVector(), 0f);
        assertNull(f.store().get("a", 3));
        assertThrows(IllegalArgumentException.class, () -> TeacherAgreement.keepAgreeing(source, store, Nd4j.ones(DataType.DOUBLE, 3, 4)));
    }
}
