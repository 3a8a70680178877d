package org.gkc4j.pipeline.synthetic;

import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.teacher.TeacherCrops;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Image-caption pairs of the synthetic world for contrastive pretraining, deterministic by index: scenes (even
 * indices) and single objects of any class (odd). With region crops, every fourth pair is instead one region of a
 * scene cut out on grey and box-cropped, the form the distillation teacher is shown (the web's isolated-object
 * photos), captioned with one of its class's names. Unseen classes appear here as they appear in web captions.
 */
public final class CaptionPairs {
    public record Pair(RgbImage image, String caption) {
    }

    private static final String[] CROP_OPENERS = {"", "a photo of a ", "a picture of a ", "a ", "one "};
    private final SceneGenerator generator;
    private final long base;
    private final boolean regionCrops;

    public CaptionPairs(SceneGenerator generator, long base) {
        this(generator, base, false);
    }

    public CaptionPairs(SceneGenerator generator, long base, boolean regionCrops) {
        this.generator = generator;
        this.base = base;
        this.regionCrops = regionCrops;
    }

    public Pair get(long i) {
        if (regionCrops && i % 4 == 3) {
            return regionCrop(base + i);
        }
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

    /** One segment of a scene, things twice as often as stuff, masked and cropped as the teacher sees it. */
    private Pair regionCrop(long seed) {
        SegmentationSample s = generator.scene(seed, SceneGenerator.Split.ALL);
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<Integer> pool = new ArrayList<>();
        for (int k = 0; k < s.segments().size(); k++) {
            boolean thing = generator.world().classes().get(s.segments().get(k).classIndex()).thing();
            for (int copies = thing ? 2 : 1; copies > 0; copies--) {
                pool.add(k);
            }
        }
        int k = pool.get(rng.nextInt(pool.size()));
        List<String> names = generator.world().classes().get(s.segments().get(k).classIndex()).synonyms();
        String caption = CROP_OPENERS[rng.nextInt(CROP_OPENERS.length)] + names.get(rng.nextInt(names.size()));
        return new Pair(TeacherCrops.crop(s, k, generator.size()), caption);
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
