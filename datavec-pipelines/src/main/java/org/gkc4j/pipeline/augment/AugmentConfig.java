package org.gkc4j.pipeline.augment;

/**
 * Joint augmentation of an image and its segments. {@code scale} draws s ~ U(minScale, maxScale) and resizes so the
 * image fits s x cropSize (detectron2's ResizeScale); then a random crop of cropSize (one uniform draw for both
 * axes, FixedSizeCrop), padding to cropSize, and a horizontal flip. The authors use 0.8-1.2 at 512; large-scale
 * jitter is 0.1-2.0.
 */
public record AugmentConfig(int cropSize, double minScale, double maxScale, double flipProbability, int padValue) {
    public static AugmentConfig authors(int cropSize) {
        return new AugmentConfig(cropSize, 0.8, 1.2, 0.5, 128);
    }

    public static AugmentConfig largeScaleJitter(int cropSize) {
        return new AugmentConfig(cropSize, 0.1, 2.0, 0.5, 128);
    }

    /** No randomness: resize to fit cropSize exactly (scale 1), no flip. */
    public static AugmentConfig none(int cropSize) {
        return new AugmentConfig(cropSize, 1.0, 1.0, 0.0, 128);
    }
}
