package org.gkc4j.pipeline.synthetic;

import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.SegmentationSample;

import java.util.ArrayList;
import java.util.List;

/**
 * Image-caption pairs of the synthetic world for contrastive pretraining: pair i is a scene (even i) or a single
 * object of any class (odd i), deterministic by i. Unseen classes appear here as they appear in web captions.
 */
public final class CaptionPairs {
    public record Pair(RgbImage image, String caption) {
    }

    private final SceneGenerator generator;
    private final long base;

    public CaptionPairs(SceneGenerator generator, long base) {
        this.generator = generator;
        this.base = base;
    }

    public Pair get(long i) {
        SegmentationSample s;
        if (i % 2 == 0) {
            s = generator.scene(base + i, SceneGenerator.Split.ALL);
        } else {
            List<SyntheticWorld.ClassInfo> things = generator.world().classes().stream().filter(SyntheticWorld.ClassInfo::thing).toList();
            int cls = things.get((int) Math.floorMod((base + i) * 0x9E3779B97F4A7C15L >>> 33, (long) things.size())).index();
            s = generator.object(cls, base + i);
        }
        return new Pair(s.image(), s.captions().get(0));
    }

    /** Captions of the first {@code n} pairs: the corpus the tokenizer's merges are learned from. */
    public List<String> corpus(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(get(i).caption());
        }
        return out;
    }
}
