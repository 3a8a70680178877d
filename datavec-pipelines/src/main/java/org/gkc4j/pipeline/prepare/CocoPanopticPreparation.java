package org.gkc4j.pipeline.prepare;

import org.gkc4j.GkcException;
import org.gkc4j.pipeline.datasets.CocoCaptions;
import org.gkc4j.pipeline.datasets.CocoPanopticIndex;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.datasets.PanopticToSemantic;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * COCO panoptic: for train2017 and val2017, {@code coco/annotations/panoptic_{split}.json} with
 * {@code coco/panoptic_{split}/<id>.png} (from {@code panoptic_annotations_trainval2017.zip}, whose inner zips unpack
 * there) to {@code coco/panoptic_semseg_{split}/<id>.png} by detectron2's rule ({@link PanopticToSemantic}: every
 * segment, crowd included, paints its category's position in the JSON, everything else 255). It also checks that
 * {@code coco/annotations/captions_{split}.json} (from {@code annotations_trainval2017.zip}) parses, as training with
 * captions needs; a missing captions file is a warning, an unparsable one a damaged input.
 */
public final class CocoPanopticPreparation implements Preparation {
    public static final List<String> SPLITS = List.of("train2017", "val2017");

    @Override
    public String key() {
        return "coco-panoptic";
    }

    @Override
    public Plan plan(Path root, LoadOptions options, LoadReport report) {
        Path coco = root.resolve("coco"), ann = coco.resolve("annotations");
        List<PrepareUnit> units = new ArrayList<>();
        int found = 0, numClasses = 0;
        for (String split : SPLITS) {
            Path json = ann.resolve("panoptic_" + split + ".json"), pngs = coco.resolve("panoptic_" + split);
            if (!Files.isRegularFile(json)) {
                report.otherWarning(json + " not found; split " + split + " not prepared");
                continue;
            }
            if (!Files.isDirectory(pngs)) {
                throw GkcException.of("panoptic PNG folder not found: %s (unpack panoptic_%s.zip from panoptic_annotations_trainval2017.zip in %s)",
                        pngs, split, coco);
            }
            found++;
            CocoPanopticIndex index = CocoPanopticIndex.read(json, options, report);
            if (index.categories().size() > PanopticToSemantic.IGNORE) {
                throw GkcException.of("%s defines %d categories; a uint8 label map holds at most %d", json, index.categories().size(), PanopticToSemantic.IGNORE);
            }
            numClasses = Math.max(numClasses, index.categories().size()); // 133 for COCO
            Path out = coco.resolve("panoptic_semseg_" + split);
            for (CocoPanopticIndex.Annotation a : index.annotations()) {
                Path target = out.resolve(a.fileName());
                units.add(new PrepareUnit(split + "/" + a.fileName(), List.of(target), () -> List.of(LabelOutput.written(target,
                        PanopticToSemantic.labelMap(index, a, pngs, options, report), LabelOutput.Format.PNG8, PanopticToSemantic.IGNORE))));
            }
            Path captions = ann.resolve("captions_" + split + ".json");
            if (Files.isRegularFile(captions)) {
                units.add(new PrepareUnit(captions.getFileName().toString(), List.of(), () -> {
                    CocoCaptions c = CocoCaptions.read(captions, options, report);
                    if (c.imageCount() == 0) {
                        throw GkcException.of("captions JSON %s holds no captions", captions);
                    }
                    return List.of();
                }));
            } else {
                report.otherWarning(captions + " not found; training with captions needs it");
            }
        }
        if (found == 0) {
            throw GkcException.of("no COCO panoptic annotations under %s: expected panoptic_{train2017,val2017}.json (unpack panoptic_annotations_trainval2017.zip in %s)",
                    ann, coco);
        }
        return new Plan(units, numClasses);
    }
}
