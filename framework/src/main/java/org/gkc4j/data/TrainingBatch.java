package org.gkc4j.data;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/** Normalised images [B,3,H,W] (fixed training size) with each image's targets. */
public record TrainingBatch(INDArray images, List<ImageTargets> targets) {
    public TrainingBatch {
        if (images.size(0) != targets.size()) {
            throw new IllegalArgumentException(targets.size() + " target sets for " + images.size(0) + " images");
        }
    }

    public int size() {
        return targets.size();
    }
}
