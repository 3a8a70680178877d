package org.gkc4j.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.gkc4j.io.AtomicFiles;

import java.nio.file.Path;

/**
 * Semantic-segmentation results, in percent. NaN marks an undefined value: a per-class IoU of a class without
 * ground-truth pixels (as detectron2 leaves it), the novel mean and hIoU when no novel classes were named, any mean
 * over a subset with no class present. JSON writes NaN as {@code null}.
 */
public record SemSegMetrics(double mIoU, double pAcc, double mIoUBase, double mIoUNovel, double hIoU, double[] perClassIoU,
                            int numClasses, int ignoreLabel, int[] novelClasses, long images, long validPixels) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public SemSegMetrics {
        perClassIoU = perClassIoU.clone();
        novelClasses = novelClasses.clone();
    }

    /** The contract of {@code gkc eval-masks} (design.md): keys {@code mIoU, pAcc, mIoU_base, mIoU_novel, hIoU, per_class_iou}. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        put(o, "mIoU", mIoU);
        put(o, "pAcc", pAcc);
        put(o, "mIoU_base", mIoUBase);
        put(o, "mIoU_novel", mIoUNovel);
        put(o, "hIoU", hIoU);
        ArrayNode per = o.putArray("per_class_iou");
        for (double v : perClassIoU) {
            if (Double.isNaN(v)) {
                per.addNull();
            } else {
                per.add(v);
            }
        }
        o.put("num_classes", numClasses);
        o.put("ignore_label", ignoreLabel);
        ArrayNode nov = o.putArray("novel_classes");
        for (int c : novelClasses) {
            nov.add(c);
        }
        o.put("images", images);
        o.put("valid_pixels", validPixels);
        return o;
    }

    public String toJsonString() {
        try {
            return JSON.writeValueAsString(toJson()) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public void write(Path file) {
        AtomicFiles.writeString(file, toJsonString());
    }

    private static void put(ObjectNode o, String key, double v) {
        if (Double.isNaN(v)) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }
}
