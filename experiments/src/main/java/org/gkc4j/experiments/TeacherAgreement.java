package org.gkc4j.experiments;

import org.gkc4j.pipeline.SampleSource;
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
 * their queries towards other shapes; this filter asks whether distilling only the segments the teacher gets right
 * does better (on the demo it does not: docs/demo-results.md). Training labels and seen names only. Not in the
 * paper, which distils every segment.
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
        Map<String, List<INDArray>> rows = new LinkedHashMap<>();
        Map<String, List<Long>> ids = new LinkedHashMap<>();
        long[] kept = {0}, total = {0};
        RegionFeatures.forEachTeacherPrediction(source, store, classText, (sample, segment, feature, nearest) -> {
            boolean agrees = nearest == segment.classIndex();
            total[0]++;
            kept[0] += agrees ? 1 : 0;
            ids.computeIfAbsent(sample.id(), k -> new ArrayList<>()).add(segment.id());
            rows.computeIfAbsent(sample.id(), k -> new ArrayList<>())
                    .add(agrees ? feature.reshape(1, -1).dup() : Nd4j.zeros(feature.dataType(), 1, feature.length()));
        });
        TeacherFeatureStore filtered = TeacherFeatureStore.empty();
        rows.forEach((k, r) -> filtered.put(k, ids.get(k).stream().mapToLong(Long::longValue).toArray(), Nd4j.vstack(r.toArray(new INDArray[0]))));
        return new Filtered(filtered, kept[0], total[0]);
    }
}
