package org.gkc4j.pipeline.text;

import org.gkc4j.data.ImageTargets;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.TargetEnricher;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Text diversification while loading (GKC section 3.3): each segment's class name is replaced by a synonym drawn
 * by the {@link SynonymSampler} every time the image is loaded, and the image gets its own vocabulary: the plain
 * class list with each class slot renamed to the first synonym drawn for it in this image, plus one extra slot per
 * further distinct synonym of an already renamed class. Classes absent from the image keep their names and act as
 * negatives.
 */
public final class TextDiversification implements TargetEnricher {
    private final List<String> classNames;
    private final Map<String, List<String>> synonyms;
    private final SynonymScores scores;
    private final SynonymSampler sampler;

    /** {@code synonyms} maps each class name to its candidates (a synonym table); {@code scores} may be empty. */
    public TextDiversification(List<String> classNames, Map<String, List<String>> synonyms, SynonymScores scores, SynonymSampler sampler) {
        this.classNames = List.copyOf(classNames);
        this.synonyms = synonyms;
        this.scores = scores;
        this.sampler = sampler;
    }

    @Override
    public ImageTargets enrich(SegmentationSample original, SegmentationSample augmented, ImageTargets targets, SplittableRandom rng) {
        List<Integer> classes = new ArrayList<>();
        List<Map<String, Double>> plausibility = new ArrayList<>();
        for (Segment s : augmented.segments()) {
            if (!s.crowd()) {
                classes.add(s.classIndex());
                plausibility.add(scores.of(augmented.id(), s.id()));
            }
        }
        return diversify(classes, plausibility, targets, rng);
    }

    /**
     * The targets with a vocabulary drawn for segments of classes {@code classIndices} (in target order) whose
     * synonyms have the CLIP plausibilities {@code plausibility} (one map per segment, may be empty): what {@link
     * #enrich} does for an image's segments, and what a video does for a clip's tracks (one draw per track).
     */
    public ImageTargets diversify(List<Integer> classIndices, List<Map<String, Double>> plausibility, ImageTargets targets, SplittableRandom rng) {
        List<String> vocab = new ArrayList<>(classNames);
        boolean[] renamed = new boolean[classNames.size()];
        Map<String, Integer> extras = new HashMap<>();
        int[] slot = new int[classIndices.size()];
        for (int j = 0; j < classIndices.size(); j++) {
            int c = classIndices.get(j);
            String name = classNames.get(c);
            String drawn = sampler.sample(name, synonyms.getOrDefault(name, List.of()), plausibility.get(j), rng);
            if (vocab.get(c).equals(drawn)) {
                renamed[c] = true;
                slot[j] = c;
            } else if (!renamed[c]) {
                vocab.set(c, drawn);
                renamed[c] = true;
                slot[j] = c;
            } else {
                Integer k = extras.get(drawn);
                if (k == null) {
                    k = vocab.size();
                    vocab.add(drawn);
                    extras.put(drawn, k);
                }
                slot[j] = k;
            }
        }
        return targets.withVocabulary(vocab, slot);
    }
}
