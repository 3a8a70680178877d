package org.gkc4j.pipeline.datasets;

import org.gkc4j.GkcException;
import org.gkc4j.io.ImageFiles;
import org.gkc4j.io.LabelMap;
import org.gkc4j.pipeline.SegmentationSample;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Decodes a COCO panoptic PNG: each pixel's RGB encodes a segment id as {@code R + 256 G + 256^2 B}, 0 is void.
 * Stored samples are read directly (a palette PNG through its table), never through colour management.
 */
public final class PanopticPng {
    private PanopticPng() {
    }

    /**
     * The decoded map: {@code segmentMap[p]} is the index into the annotation's segment list, or
     * {@link SegmentationSample#VOID} for id 0 and for ids the annotation does not list ({@code unknownIds}: id to
     * pixel count, ascending).
     */
    public record Decoded(int width, int height, int[] segmentMap, Map<Long, Long> unknownIds) {
        public Decoded {
            unknownIds = java.util.Collections.unmodifiableMap(new TreeMap<>(unknownIds));
        }

        public long unknownPixels() {
            return unknownIds.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** The raw segment id of every pixel. */
    public static LabelMap readIds(Path png, long maxPixels) {
        BufferedImage img = ImageFiles.read(png, maxPixels);
        Raster r = img.getRaster();
        int w = img.getWidth(), h = img.getHeight(), bands = r.getNumBands();
        int[] ids = new int[w * h];
        if (img.getColorModel() instanceof IndexColorModel icm && bands == 1) {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int i = row[x];
                    ids[y * w + x] = icm.getRed(i) | icm.getGreen(i) << 8 | icm.getBlue(i) << 16;
                }
            }
            return new LabelMap(w, h, ids);
        }
        if (bands < 3 || r.getSampleModel().getSampleSize(0) != 8 || r.getSampleModel().getSampleSize(1) != 8 || r.getSampleModel().getSampleSize(2) != 8) {
            throw GkcException.of("panoptic PNG %s is not an 8-bit RGB image (%d channels of %d bits)", png, bands, r.getSampleModel().getSampleSize(0));
        }
        int[] row = new int[w * bands];
        for (int y = 0; y < h; y++) {
            r.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int o = x * bands;
                ids[y * w + x] = row[o] | row[o + 1] << 8 | row[o + 2] << 16;
            }
        }
        return new LabelMap(w, h, ids);
    }

    /** Decodes {@code png} against the segments of its annotation. */
    public static Decoded decode(Path png, List<CocoPanopticIndex.SegmentInfo> segments, long maxPixels) {
        LabelMap raw = readIds(png, maxPixels);
        int[] ids = raw.values();
        Map<Integer, Integer> index = new HashMap<>(segments.size() * 2);
        for (int s = 0; s < segments.size(); s++) {
            index.put((int) segments.get(s).id(), s);
        }
        Map<Long, Long> unknown = new HashMap<>();
        int[] map = new int[ids.length];
        // Segments are large runs of one id: remember the last lookup.
        int lastId = 0, lastIndex = SegmentationSample.VOID;
        for (int p = 0; p < ids.length; p++) {
            int id = ids[p];
            if (id != lastId) {
                lastId = id;
                Integer s = id == 0 ? null : index.get(id);
                lastIndex = s == null ? SegmentationSample.VOID : s;
            }
            map[p] = lastIndex;
            if (lastIndex == SegmentationSample.VOID && id != 0) {
                unknown.merge((long) id, 1L, Long::sum);
            }
        }
        return new Decoded(raw.width(), raw.height(), map, unknown);
    }

    /** The first few unknown ids with their pixel counts, for a warning. */
    static String describe(Map<Long, Long> unknown) {
        String s = unknown.entrySet().stream().limit(5).map(e -> e.getKey() + " (" + e.getValue() + " px)").collect(Collectors.joining(", "));
        return unknown.size() > 5 ? s + ", ... (" + unknown.size() + " ids)" : s;
    }
}
