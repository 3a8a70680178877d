package org.gkc4j.pipeline.prepare;

import org.gkc4j.io.LabelMap;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PASCAL-Context 459 (val): {@code VOCdevkit/VOC2010/trainval/<id>.mat} to
 * {@code VOCdevkit/VOC2010/annotations_detectron2/pc459_val/<id>.tif}, a 16-bit grayscale TIFF holding label - 1
 * (classes 0..458 in {@code labels.txt} order) with unlabelled (0) becoming 65535, as detectron2/MaskFormer prepare
 * them (their uint16 subtraction wraps 0 to 65535). 16 bits, because index 255 is a class here.
 */
public final class PascalContext459Preparation implements Preparation {
    public static final String OUT = PascalContextRelease.OUT + "/pc459_val";
    static final int IGNORE = 65535;

    @Override
    public String key() {
        return "pascal-context-459";
    }

    @Override
    public Plan plan(Path root, LoadOptions options, LoadReport report) {
        List<PrepareUnit> units = new ArrayList<>();
        for (String id : PascalContextRelease.valIds(root)) {
            Path mat = PascalContextRelease.mat(root, id), target = root.resolve(OUT).resolve(id + ".tif");
            units.add(new PrepareUnit(id + ".mat", List.of(target), () -> {
                LabelMap raw = PascalContextRelease.labels(mat, options.maxImagePixels());
                int[] v = raw.values(), out = new int[v.length];
                for (int i = 0; i < v.length; i++) {
                    out[i] = v[i] == 0 ? IGNORE : v[i] - 1;
                }
                return List.of(LabelOutput.written(target, new LabelMap(raw.width(), raw.height(), out), LabelOutput.Format.TIFF16, IGNORE));
            }));
        }
        return new Plan(units, PascalContextRelease.CLASSES);
    }
}
