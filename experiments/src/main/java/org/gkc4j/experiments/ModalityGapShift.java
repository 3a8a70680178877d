package org.gkc4j.experiments;

import org.gkc4j.pipeline.teacher.TeacherFeatureStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Moves the distillation teacher's region features across CLIP's modality gap: every unit-normalised feature r
 * becomes r - mean(r) + mean(t), the means taken over all training segments' features and over the training
 * vocabulary's unit text embeddings t. CLIP's image and text embeddings sit in two separate cones (Liang et al.,
 * "Mind the Gap", NeurIPS 2022), and the student is classified against text: pulled onto raw image features, its
 * embeddings land in the image cone, where a few names are nearest to everything (measured: all green objects called
 * "green ring"). The shift keeps every difference between teacher features and moves only their centre. Training
 * data and training names only; the unseen names never enter.
 */
public final class ModalityGapShift {
    private ModalityGapShift() {
    }

    /** The shift mean(t) - mean(r) [E] for the store's features and the text embeddings [classes, E]. */
    public static INDArray gap(TeacherFeatureStore store, INDArray classText) {
        if (store.size() == 0) {
            throw new IllegalArgumentException("no teacher features to measure the modality gap on");
        }
        if (classText.columns() != store.dim()) {
            throw new IllegalArgumentException("the teacher's features (" + store.dim() + ") are not in the text space (" + classText.columns() + ")");
        }
        INDArray imageSum = null;
        long count = 0;
        for (INDArray block : store.blocks()) {
            INDArray unit = unit(block);
            imageSum = imageSum == null ? unit.sum(0) : imageSum.addi(unit.sum(0));
            count += unit.rows();
        }
        if (count == 0) {
            throw new IllegalArgumentException("no teacher features to measure the modality gap on");
        }
        return unit(classText).mean(0).subi(imageSum.divi(count));
    }

    /** The store with every feature unit-normalised and moved by {@link #gap}. */
    public static TeacherFeatureStore apply(TeacherFeatureStore store, INDArray classText) {
        INDArray gap = gap(store, classText);
        return store.mapRows(block -> unit(block).addiRowVector(gap).castTo(block.dataType()));
    }

    private static INDArray unit(INDArray rows) {
        INDArray d = rows.castTo(DataType.DOUBLE);
        return d.divColumnVector(d.norm2(1).reshape(-1, 1).addi(1e-12));
    }
}
