package org.gkc4j.pipeline.prepare;

import org.gkc4j.GkcException;
import org.gkc4j.pipeline.datasets.SemanticDataset;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** The preparations {@code gkc data prepare} knows, by name. */
public final class Preparations {
    private static final Map<String, Function<Boolean, Preparation>> KNOWN = new LinkedHashMap<>();

    static {
        KNOWN.put("coco-stuff", CocoStuffPreparation::new);
        KNOWN.put("cityscapes-19", z -> new CityscapesPreparation());
        KNOWN.put("pascal-context-59", z -> new PascalContext59Preparation());
        KNOWN.put("pascal-context-459", z -> new PascalContext459Preparation());
        KNOWN.put("coco-panoptic", z -> new CocoPanopticPreparation());
        KNOWN.put("ade20k-150", z -> new ReleasedLayoutCheck("ade20k-150", SemanticDataset.ADE20K_150));
        KNOWN.put("pascal-voc-20", z -> new ReleasedLayoutCheck("pascal-voc-20", SemanticDataset.PASCAL_VOC_20));
        KNOWN.put("ade20k-847", z -> new Ade20k847Preparation());
    }

    private Preparations() {
    }

    public static Iterable<String> keys() {
        return KNOWN.keySet();
    }

    /** The named preparation; {@code zeroShot} (coco-stuff only) adds the zero-shot split's base and novel maps. */
    public static Preparation of(String key, boolean zeroShot) {
        Function<Boolean, Preparation> f = KNOWN.get(key);
        if (f == null) {
            throw GkcException.of("unknown dataset %s; known: %s", key, String.join(", ", KNOWN.keySet()));
        }
        if (zeroShot && !key.equals("coco-stuff")) {
            throw GkcException.of("--zero-shot applies to coco-stuff only");
        }
        return f.apply(zeroShot);
    }
}
