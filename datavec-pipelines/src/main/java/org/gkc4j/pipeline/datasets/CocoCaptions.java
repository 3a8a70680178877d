package org.gkc4j.pipeline.datasets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Captions of a COCO captions JSON ({@code annotations[].image_id / caption}), per image id in file order. */
public final class CocoCaptions {
    private final Map<Long, List<String>> byImage;

    private CocoCaptions(Map<Long, List<String>> byImage) {
        this.byImage = byImage;
    }

    public static CocoCaptions none() {
        return new CocoCaptions(Map.of());
    }

    public static CocoCaptions read(Path json, LoadOptions options, LoadReport report) {
        Map<Long, List<String>> byImage = new HashMap<>();
        CocoPanopticIndex.Damage damage = new CocoPanopticIndex.Damage(options, report);
        long[] entry = {0};
        CocoJson.stream(json, "captions JSON", options.maxJsonBytes(), Map.of("annotations", n -> {
            Long image = CocoJson.longField(n, "image_id");
            String caption = CocoJson.textField(n, "caption");
            if (image == null || caption == null) {
                damage.other("captions JSON " + json + ": entry " + entry[0] + " lacks an integer image_id or a caption");
            } else {
                byImage.computeIfAbsent(image, k -> new ArrayList<>(5)).add(caption);
            }
            entry[0]++;
        }));
        byImage.replaceAll((k, v) -> List.copyOf(v));
        return new CocoCaptions(byImage);
    }

    public List<String> of(long imageId) {
        return byImage.getOrDefault(imageId, List.of());
    }

    public int imageCount() {
        return byImage.size();
    }
}
