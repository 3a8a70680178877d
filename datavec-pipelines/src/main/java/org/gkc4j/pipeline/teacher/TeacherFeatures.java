package org.gkc4j.pipeline.teacher;

import org.gkc4j.GkcException;
import org.gkc4j.data.ImageTargets;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.TargetEnricher;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Attaches each training segment's cached teacher feature to the targets, in segment order. */
public final class TeacherFeatures implements TargetEnricher {
    private final TeacherFeatureStore store;

    public TeacherFeatures(TeacherFeatureStore store) {
        this.store = store;
    }

    @Override
    public ImageTargets enrich(SegmentationSample original, SegmentationSample augmented, ImageTargets targets, SplittableRandom rng) {
        List<INDArray> rows = new ArrayList<>();
        for (Segment s : augmented.segments()) {
            if (s.crowd()) {
                continue;
            }
            INDArray f = store.get(augmented.id(), s.id());
            if (f == null) {
                throw GkcException.of("no teacher feature for segment %d of %s: recompute the teacher cache", s.id(), augmented.id());
            }
            rows.add(f.reshape(1, -1));
        }
        INDArray features = rows.isEmpty() ? Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 0, Math.max(1, store.dim()))
                : Nd4j.vstack(rows.toArray(new INDArray[0]));
        return targets.withTeacher(features);
    }
}
