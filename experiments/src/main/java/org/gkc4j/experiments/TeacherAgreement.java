package org.gkc4j.experiments;

import org.gkc4j.pipeline.SampleSource;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.teacher.TeacherFeatureStore;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the distillation teacher only where it agrees with the label: a training segment whose teacher feature is
 * nearest (cosine) to another training name than its own gets a zero row, which {@code DistillationLoss} skips. The
 * tiny CLIP's teacher names 0-7 % of training triangles right (teacher.json), and at distillation weight 10 it pulls
 * their queries towards other shapes; measured on the demo, leaving those segments out did worse (README). Training
 * labels and seen names only. Not in the paper, which distils every segment.
 */
public final class TeacherAgreement {
    /** The filtered store and how many segments kept their teacher. */
    public record Filtered(TeacherFeatureStore store, long kept, long segments) {
    }

    private TeacherAgreement() {
    }

    /**
     * @param classText the training names' text embeddings [classes, E], indexed by the segments' class index; the
     *                  teacher's features must be in that space
     */
    public static Filtered keepAgreeing(SampleSource source, TeacherFeatureStore store, INDArray classText) {
        if (classText.columns() != store.dim()) {
            throw new IllegalArgumentException("the teacher's features (" + store.dim() + ") are not in the text space (" + classText.columns() + ")");
        }
        INDArray text = ModalityGapShift.unit(classText);
        Map<String, INDArray> rows = new LinkedHashMap<>();
        Map<String, long[]> ids = new LinkedHashMap<>();
        long kept = 0, total = 0;
        for (int i = 0; i < source.size(); i++) {
            SegmentationSample s = source.get(i);
            List<Long> segmentIds = new ArrayList<>();
            List<INDArray> features = new ArrayList<>();
            for (Segment g : s.segments()) {
                INDArray f = g.crowd() ? null : store.get(s.id(), g.id());
                if (f == null) {
                    continue;
                }
                total++;
                INDArray unitFeature = ModalityGapShift.unit(f.reshape(1, -1));
                int nearest = Nd4j.argMax(text.mmul(unitFeature.transpose()).reshape(-1)).getInt(0);
                boolean agrees = nearest == g.classIndex();
                kept += agrees ? 1 : 0;
                segmentIds.add(g.id());
                features.add(agrees ? f.reshape(1, -1).dup() : Nd4j.zeros(f.dataType(), 1, f.length()));
            }
            if (!features.isEmpty()) {
                rows.put(s.id(), Nd4j.vstack(features.toArray(new INDArray[0])));
                ids.put(s.id(), segmentIds.stream().mapToLong(Long::longValue).toArray());
            }
        }
        return new Filtered(new TeacherFeatureStore(rows, ids), kept, total);
    }
}
