package org.gkc4j.model;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A network the trainer and the criterion can drive: it maps a batch of normalised frames to prediction sets and
 * classifies them with the open-vocabulary head. An image network reads one frame per sample, a video network a
 * clip of {@link #framesPerSample()} consecutive frames, and stacks a clip's per-frame masks along the height, so
 * each sample's masks are one [T*h, w] map and matching and mask losses run on whole clips unchanged.
 */
public interface SegmentationNetwork {
    /** frames [B*T,3,H,W] (T = {@link #framesPerSample()}, a sample's frames consecutive). */
    GkcNetwork.Outputs forward(SDVariable frames);

    OpenVocabularyHead head();

    default int framesPerSample() {
        return 1;
    }
}
