package org.gkc4j.pipeline.prepare;

import org.gkc4j.io.LabelMap;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PASCAL-Context 59 (val): {@code VOCdevkit/VOC2010/trainval/<id>.mat} to
 * {@code VOCdevkit/VOC2010/annotations_detectron2/pc59_val/<id>.png}: the 59 classes of the common subset become
 * 0..58 in the order of {@code classnames/pascal-context-59.tsv}, every other value (unlabelled, the 400 other
 * classes) 255, as detectron2/MaskFormer prepare them. The 59 are these ids of the 459-class {@code labels.txt}
 * ({@link #IDS}; a test checks every one names the same class in both shipped lists).
 */
public final class PascalContext59Preparation implements Preparation {
    public static final String OUT = PascalContextRelease.OUT + "/pc59_val";
    /** The 59 classes' ids in PASCAL-Context's 459-class numbering (1-based), in the 59-class order. */
    public static final int[] IDS = {2, 9, 18, 19, 22, 23, 25, 31, 33, 34, 44, 45, 46, 59, 65, 68, 72, 80, 85, 98, 104, 105, 113, 115,
            144, 158, 159, 162, 187, 189, 207, 220, 232, 258, 259, 260, 284, 295, 296, 308, 324, 326, 347, 349, 354, 355, 360, 366, 368,
            397, 415, 416, 420, 424, 427, 440, 445, 454, 458};
    static final int IGNORE = 255;
    private static final ValueTable TABLE = ValueTable.indexOf(IDS, PascalContextRelease.CLASSES + 1, IGNORE);

    @Override
    public String key() {
        return "pascal-context-59";
    }

    @Override
    public Plan plan(Path root, LoadOptions options, LoadReport report) {
        List<PrepareUnit> units = new ArrayList<>();
        for (String id : PascalContextRelease.valIds(root)) {
            Path mat = PascalContextRelease.mat(root, id), target = root.resolve(OUT).resolve(id + ".png");
            units.add(new PrepareUnit(id + ".mat", List.of(target), () -> {
                LabelMap raw = PascalContextRelease.labels(mat, options.maxImagePixels());
                return List.of(LabelOutput.written(target, TABLE.apply(raw), LabelOutput.Format.PNG8, IGNORE));
            }));
        }
        return new Plan(units, 59);
    }
}
