package org.gkc4j.data;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Normalised frames [B*T,3,H,W] (fixed training size, T = {@code frames} per sample: 1 for images, a clip's
 * consecutive frames for video) with each sample's targets (a clip's masks stacked along the height, frame by frame).
 */
public record TrainingBatch(INDArray images, List<ImageTargets> targets, int frames) {
    public TrainingBatch {
        if (frames < 1 || images.size(0) != (long) targets.size() * frames) {
            throw new IllegalArgumentException(targets.size() + " target sets of " + frames + " frames for " + images.size(0) + " images");
        }
    }

    /** A batch of images, one frame per sample. */
    public TrainingBatch(INDArray images, List<ImageTargets> targets) {
        this(images, targets, 1);
    }

    public int size() {
        return targets.size();
    }
}
