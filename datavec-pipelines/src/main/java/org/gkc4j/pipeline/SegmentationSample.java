package org.gkc4j.pipeline;

import java.util.List;

/**
 * An image with its segments as one map: {@code segmentMap[y * width + x]} is the index into {@code segments} of the
 * segment covering the pixel, or {@link #VOID}. Panoptic and semantic annotations both fit (a semantic map has one
 * segment per class present); augmentation transforms the image and this one map together.
 */
public record SegmentationSample(String id, RgbImage image, int[] segmentMap, List<Segment> segments, List<String> captions) {
    public static final int VOID = -1;

    public SegmentationSample {
        if (segmentMap.length != image.width() * image.height()) {
            throw new IllegalArgumentException("segment map size does not match the image");
        }
        segments = List.copyOf(segments);
        captions = captions == null ? List.of() : List.copyOf(captions);
    }

    public int width() {
        return image.width();
    }

    public int height() {
        return image.height();
    }

    /** Pixel count of each segment. */
    public long[] areas() {
        long[] a = new long[segments.size()];
        for (int s : segmentMap) {
            if (s >= 0) {
                a[s]++;
            }
        }
        return a;
    }
}
