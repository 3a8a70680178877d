package org.gkc4j.pipeline;

import org.gkc4j.pipeline.augment.AugmentConfig;

/**
 * Batching of a {@link SegmentationLoader}: batch size, background threads and how many batches they may prepare
 * ahead, the seed of shuffling and augmentation, and whether a damaged sample fails the run or is skipped.
 */
public record LoaderConfig(int batchSize, int threads, int prefetch, long seed, AugmentConfig augment, boolean failOnBadSample) {
}
