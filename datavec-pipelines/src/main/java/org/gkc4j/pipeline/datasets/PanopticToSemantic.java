package org.gkc4j.pipeline.datasets;

import org.gkc4j.GkcException;
import org.gkc4j.io.LabelMap;
import org.gkc4j.pipeline.SegmentationSample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The semantic view of a COCO panoptic dataset, by detectron2's preparation rule: every segment, crowd ones
 * included, paints its category's contiguous index (position in the JSON's {@code categories}); every other pixel
 * (void, or an id the annotation does not list) is 255. One uint8 grayscale PNG per annotation, named as the
 * annotation's panoptic PNG.
 */
public final class PanopticToSemantic {
    public static final int IGNORE = 255;

    private PanopticToSemantic() {
    }

    /** Converts every annotation of {@code json}; returns how many label maps were written. */
    public static int convert(Path json, Path panopticDir, Path outDir, LoadOptions options, LoadReport report) {
        CocoPanopticDataset.requireDir(panopticDir, "panoptic PNG folder");
        CocoPanopticIndex index = CocoPanopticIndex.read(json, options, report);
        if (index.categories().size() > IGNORE) {
            throw GkcException.of("%s defines %d categories; a uint8 label map holds at most %d classes besides the ignore value",
                    json, index.categories().size(), IGNORE);
        }
        CocoPanopticIndex.Damage damage = new CocoPanopticIndex.Damage(options, report);
        try {
            Files.createDirectories(outDir);
        } catch (java.io.IOException e) {
            throw GkcException.of("cannot create %s: %s", outDir, e.getMessage());
        }
        int written = 0;
        for (CocoPanopticIndex.Annotation ann : index.annotations()) {
            Path png = panopticDir.resolve(ann.fileName());
            LabelMap labels;
            try {
                labels = labels(png, ann, index, options, damage);
            } catch (GkcException e) {
                damage.skip(e.getMessage());
                continue;
            }
            // A failed write is not damaged input: it ends the run.
            labels.writePng8(outDir.resolve(ann.fileName()));
            written++;
            report.sampleLoaded();
        }
        return written;
    }

    /**
     * One annotation's semantic label map, by the rule above. Unlisted segment ids are reported (or, with
     * {@link LoadOptions#failOnDamage()}, fatal); a damaged PNG or a size disagreeing with the JSON is a {@link GkcException}.
     */
    public static LabelMap labelMap(CocoPanopticIndex index, CocoPanopticIndex.Annotation ann, Path panopticDir, LoadOptions options,
                                    LoadReport report) {
        return labels(panopticDir.resolve(ann.fileName()), ann, index, options, new CocoPanopticIndex.Damage(options, report));
    }

    private static LabelMap labels(Path png, CocoPanopticIndex.Annotation ann, CocoPanopticIndex index, LoadOptions options,
                                   CocoPanopticIndex.Damage damage) {
        List<CocoPanopticIndex.SegmentInfo> segs = ann.segments();
        PanopticPng.Decoded d = PanopticPng.decode(png, segs, options.maxImagePixels());
        CocoPanopticIndex.ImageInfo info = index.image(ann.imageId());
        if (d.width() != info.width() || d.height() != info.height()) {
            throw GkcException.of("panoptic PNG %s is %dx%d but the JSON says %dx%d", png, d.width(), d.height(), info.width(), info.height());
        }
        if (!d.unknownIds().isEmpty()) {
            damage.dropSegments(d.unknownIds().size(), d.unknownPixels(), String.format(
                    "panoptic PNG %s holds segment ids the JSON does not list: %s; their pixels are 255", png, PanopticPng.describe(d.unknownIds())));
        }
        int[] map = d.segmentMap(), out = new int[map.length];
        for (int p = 0; p < map.length; p++) {
            out[p] = map[p] == SegmentationSample.VOID ? IGNORE : segs.get(map[p]).categoryIndex();
        }
        return new LabelMap(d.width(), d.height(), out);
    }
}
