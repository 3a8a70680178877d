package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collection;

/**
 * Calibrated stacking for generalised zero-shot segmentation: a network trained on the seen classes scores them too
 * confidently, so their class logits are lowered by a fixed {@code penalty} before the semantic scores are formed.
 * Zero leaves predictions unchanged. The penalty is a choice made before looking at test scenes (or on a
 * validation split), never tuned on the evaluation set.
 */
public record SeenClassCalibration(double penalty) {
    public SeenClassCalibration {
        if (!Double.isFinite(penalty) || penalty < 0) {
            throw GkcException.of("the seen-class penalty must be a finite number >= 0, not %s", penalty);
        }
    }

    public static final SeenClassCalibration NONE = new SeenClassCalibration(0);

    /** The bias [classes] to add to the class logits: -penalty for every seen class, 0 elsewhere; null when zero. */
    public INDArray bias(int classes, Collection<Integer> seen) {
        if (penalty == 0) {
            return null;
        }
        float[] b = new float[classes];
        for (int c : seen) {
            if (c < 0 || c >= classes) {
                throw GkcException.of("seen class %d is outside the vocabulary of %d classes", c, classes);
            }
            b[c] = (float) -penalty;
        }
        return Nd4j.create(b).castTo(DataType.FLOAT);
    }
}
