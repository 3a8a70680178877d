package org.gkc4j.pipeline.augment;

import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Applies one draw of {@link AugmentConfig} to an image and its segment map together: bilinear for the image,
 * nearest for the segment map, the same flip, crop and padding for both. Segments cropped away are dropped and
 * the map re-indexed, so every returned segment has at least one pixel.
 */
public final class JointAugmentation {
    private final AugmentConfig cfg;

    public JointAugmentation(AugmentConfig cfg) {
        this.cfg = cfg;
    }

    public SegmentationSample apply(SegmentationSample s, SplittableRandom rng) {
        int h = s.height(), w = s.width(), size = cfg.cropSize();
        double scaleDraw = cfg.minScale() + (cfg.maxScale() - cfg.minScale()) * rng.nextDouble();
        double scale = Math.min(scaleDraw * size / h, scaleDraw * size / w);
        int nh = Math.max(1, (int) Math.round(h * scale)), nw = Math.max(1, (int) Math.round(w * scale));
        RgbImage img = Resampling.bilinear(s.image(), nw, nh);
        int[] map = Resampling.nearest(s.segmentMap(), w, h, nw, nh);
        double u = rng.nextDouble();
        int offY = (int) Math.round(Math.max(0, nh - size) * u), offX = (int) Math.round(Math.max(0, nw - size) * u);
        boolean flip = rng.nextDouble() < cfg.flipProbability();
        RgbImage out = RgbImage.blank(size, size);
        int[] outMap = new int[size * size];
        java.util.Arrays.fill(outMap, SegmentationSample.VOID);
        byte pad = (byte) cfg.padValue();
        java.util.Arrays.fill(out.data(), pad);
        for (int y = 0; y < size; y++) {
            int sy = y + offY;
            if (sy >= nh) {
                break;
            }
            for (int x = 0; x < size; x++) {
                if (x + offX >= nw) {
                    break;
                }
                // flip the resized image first, then crop (detectron2 flips before resizing and cropping)
                int sx = flip ? nw - 1 - (x + offX) : x + offX;
                int dx = x;
                int di = (y * size + dx) * 3, si = (sy * nw + sx) * 3;
                out.data()[di] = img.data()[si];
                out.data()[di + 1] = img.data()[si + 1];
                out.data()[di + 2] = img.data()[si + 2];
                outMap[y * size + dx] = map[sy * nw + sx];
            }
        }
        return reindex(s, out, outMap);
    }

    /** Keeps the segments that still have pixels in {@code map} (re-indexed in place), in their original order. */
    public static SegmentationSample reindex(SegmentationSample original, RgbImage image, int[] map) {
        int n = original.segments().size();
        long[] area = new long[n];
        for (int v : map) {
            if (v >= 0) {
                area[v]++;
            }
        }
        int[] remap = new int[n];
        List<Segment> kept = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            remap[i] = area[i] > 0 ? kept.size() : SegmentationSample.VOID;
            if (area[i] > 0) {
                kept.add(original.segments().get(i));
            }
        }
        for (int i = 0; i < map.length; i++) {
            if (map[i] >= 0) {
                map[i] = remap[map[i]];
            }
        }
        return new SegmentationSample(original.id(), image, map, kept, original.captions());
    }
}
