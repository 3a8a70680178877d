package org.gkc4j.pipeline.datasets;

import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;

import java.util.ArrayList;
import java.util.List;

/** An image with its semantic label map: contiguous class indices, {@code ignoreLabel} where unlabelled. */
public record SemanticSample(String id, RgbImage image, int[] labels, int ignoreLabel) {
    public SemanticSample {
        if (labels.length != image.width() * image.height()) {
            throw new IllegalArgumentException("label map size does not match the image");
        }
    }

    /** One segment per class present, in ascending class order; segment id = class index; ignored pixels void. */
    public SegmentationSample toSegmentationSample() {
        int max = -1;
        for (int l : labels) {
            if (l != ignoreLabel) {
                if (l < 0) {
                    throw new IllegalArgumentException("negative class index " + l);
                }
                max = Math.max(max, l);
            }
        }
        int[] segmentOf = new int[max + 1];
        java.util.Arrays.fill(segmentOf, -1);
        for (int l : labels) {
            if (l != ignoreLabel) {
                segmentOf[l] = 0;
            }
        }
        List<Segment> segments = new ArrayList<>();
        for (int c = 0; c <= max; c++) {
            if (segmentOf[c] == 0) {
                segmentOf[c] = segments.size();
                segments.add(new Segment(c, c, false));
            }
        }
        int[] map = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            map[i] = labels[i] == ignoreLabel ? SegmentationSample.VOID : segmentOf[labels[i]];
        }
        return new SegmentationSample(id, image, map, segments, List.of());
    }

    /** The label map of a sample: each pixel its segment's class, {@code ignoreLabel} where void. */
    public static SemanticSample of(SegmentationSample s, int ignoreLabel) {
        int[] map = s.segmentMap(), labels = new int[map.length];
        for (int i = 0; i < map.length; i++) {
            labels[i] = map[i] == SegmentationSample.VOID ? ignoreLabel : s.segments().get(map[i]).classIndex();
        }
        return new SemanticSample(s.id(), s.image(), labels, ignoreLabel);
    }
}
