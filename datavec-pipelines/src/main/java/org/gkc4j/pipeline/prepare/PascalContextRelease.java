package org.gkc4j.pipeline.prepare;

import org.gkc4j.GkcException;
import org.gkc4j.io.LabelMap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * PASCAL-Context as released: VOC2010 ({@code VOCdevkit/VOC2010/...}) with PASCAL-Context's {@code trainval.tar.gz}
 * unpacked into it ({@code VOCdevkit/VOC2010/trainval/<id>.mat}, each holding {@code LabelMap}, uint16 HxW: 0
 * unlabelled, 1..459 the classes of the release's {@code labels.txt}). The validation ids are those of
 * {@code VOC2010/pascalcontext_val.txt} when present (the list the usual MaskFormer-style preparation reads), else
 * VOC2010's {@code ImageSets/Main/val.txt}: both are PASCAL-Context's 5,105-image val split. (VOC2010's
 * {@code ImageSets/Segmentation/val.txt} is VOC's 964-image segmentation subset, not the benchmark's.)
 */
final class PascalContextRelease {
    static final String VOC = "VOCdevkit/VOC2010";
    static final String MATS = VOC + "/trainval", VAL_LIST = VOC + "/ImageSets/Main/val.txt", PC_VAL_LIST = VOC + "/pascalcontext_val.txt",
            OUT = VOC + "/annotations_detectron2";
    static final int CLASSES = 459;

    private PascalContextRelease() {
    }

    /** The val ids; a missing list or {@code trainval} folder is a one-line error naming what to unpack. */
    static List<String> valIds(Path root) {
        Path mats = root.resolve(MATS);
        if (!Files.isDirectory(mats)) {
            throw GkcException.of("PASCAL-Context label folder not found: %s (unpack PASCAL-Context's trainval.tar.gz in %s)", mats, root.resolve(VOC));
        }
        Path pc = root.resolve(PC_VAL_LIST);
        return InputFiles.ids(Files.isRegularFile(pc) ? pc : root.resolve(VAL_LIST));
    }

    static Path mat(Path root, String id) {
        return root.resolve(MATS).resolve(id + ".mat");
    }

    /** The image's {@code LabelMap} as a row-major label map of stored values 0..459; any other value is damage. */
    static LabelMap labels(Path mat, long maxPixels) {
        MatFile.Matrix m = MatFile.read(mat, "LabelMap");
        int h = m.rows(), w = m.cols();
        if ((long) w * h > maxPixels) {
            throw GkcException.of("label map %s is %dx%d; the limit is %d pixels", mat, w, h, maxPixels);
        }
        int[] out = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = m.get(y, x);
                if (v < 0 || v > CLASSES) {
                    throw GkcException.of("label map %s holds %d at (%d, %d), which is neither 0 (unlabelled) nor a class 1..%d", mat, v, x, y, CLASSES);
                }
                out[y * w + x] = v;
            }
        }
        return new LabelMap(w, h, out);
    }
}
