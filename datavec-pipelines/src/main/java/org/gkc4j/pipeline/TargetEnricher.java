package org.gkc4j.pipeline;

import org.gkc4j.data.ImageTargets;

import java.util.SplittableRandom;

/**
 * Adds per-image training inputs beyond masks and labels while a batch is assembled: a diversified vocabulary
 * (text diversification), teacher features of each segment (distillation), caption nouns (grounding). Sees the
 * sample before and after augmentation (teacher crops come from the original image).
 */
@FunctionalInterface
public interface TargetEnricher {
    ImageTargets enrich(SegmentationSample original, SegmentationSample augmented, ImageTargets targets, SplittableRandom rng);
}
