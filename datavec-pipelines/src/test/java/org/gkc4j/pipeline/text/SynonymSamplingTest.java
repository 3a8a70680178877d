package org.gkc4j.pipeline.text;

import org.gkc4j.data.ImageTargets;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SynonymSamplingTest {
    private static final List<String> CANDIDATES = List.of("car", "auto", "automobile", "machine", "motorcar");
    private static final Map<String, Double> SCORES = Map.of("car", 0.40, "auto", 0.25, "automobile", 0.20, "machine", 0.05, "motorcar", 0.10);

    /** Pearson's chi-square statistic of observed counts against expected probabilities. */
    private static double chiSquare(Map<String, Integer> observed, Map<String, Double> expected, int n) {
        double chi = 0;
        for (var e : expected.entrySet()) {
            double exp = e.getValue() * n;
            if (exp == 0) {
                assertEquals(0, observed.getOrDefault(e.getKey(), 0), e.getKey() + " must never be drawn");
                continue;
            }
            double o = observed.getOrDefault(e.getKey(), 0);
            chi += (o - exp) * (o - exp) / exp;
        }
        return chi;
    }

    private static Map<String, Integer> draw(SynonymSampler s, int n) {
        SplittableRandom rng = new SplittableRandom(2024);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) counts.merge(s.sample("car", CANDIDATES, SCORES, rng), 1, Integer::sum);
        return counts;
    }

    @Test
    void thresholdIsUniformOverThoseAboveIt() {
        int n = 30000;
        // above 0.1: car, auto, automobile (motorcar's 0.10 is not above): 1/3 each
        double chi = chiSquare(draw(SynonymSampler.authors(), n), Map.of("car", 1 / 3.0, "auto", 1 / 3.0, "automobile", 1 / 3.0, "machine", 0.0, "motorcar", 0.0), n);
        assertTrue(chi < 13.8, "chi-square " + chi + " with 2 degrees of freedom (p = 0.001 critical value 13.8)");
    }

    @Test
    void proportionalFollowsTheProbabilities() {
        int n = 30000;
        double chi = chiSquare(draw(new SynonymSampler(SynonymSampler.Mode.PROPORTIONAL, 0, 0), n), SCORES, n);
        assertTrue(chi < 18.5, "chi-square " + chi + " with 4 degrees of freedom (p = 0.001 critical value 18.5)");
    }

    @Test
    void topKIsUniformOverTheKBest() {
        int n = 30000;
        double chi = chiSquare(draw(new SynonymSampler(SynonymSampler.Mode.TOP_K, 0, 2), n), Map.of("car", 0.5, "auto", 0.5, "automobile", 0.0, "machine", 0.0, "motorcar", 0.0), n);
        assertTrue(chi < 10.8, "chi-square " + chi + " with 1 degree of freedom (p = 0.001 critical value 10.8)");
        assertEquals(Map.of("car", 100), drawSmall(new SynonymSampler(SynonymSampler.Mode.TOP_K, 0, 1)));
    }

    private static Map<String, Integer> drawSmall(SynonymSampler s) {
        SplittableRandom rng = new SplittableRandom(1);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 100; i++) counts.merge(s.sample("car", CANDIDATES, SCORES, rng), 1, Integer::sum);
        return counts;
    }

    @Test
    void fallsBackSafely() {
        SplittableRandom rng = new SplittableRandom(3);
        SynonymSampler strict = new SynonymSampler(SynonymSampler.Mode.THRESHOLD, 0.9, 0);
        assertEquals("car", strict.sample("car", CANDIDATES, SCORES, rng), "nothing passes: the most plausible");
        assertEquals("tv", strict.sample("tv", List.of(), Map.of(), rng), "no candidates: the class name");
        assertTrue(CANDIDATES.contains(SynonymSampler.authors().sample("car", CANDIDATES, Map.of(), rng)), "no scores: uniform");
    }

    @Test
    void perImageVocabularyFollowsTheAuthorsRule() {
        // segments: car, car, person, car; class 0 car, 1 person, 2 dog
        List<String> classes = List.of("car", "person", "dog");
        Map<String, List<String>> table = Map.of("car", List.of("auto", "automobile"), "person", List.of("person"), "dog", List.of("hound"));
        // scores force the draws: first car -> auto, second car -> auto, fourth car -> automobile
        SynonymScores scores = SynonymScores.empty();
        scores.put("img", 1, Map.of("auto", 1.0, "automobile", 0.0));
        scores.put("img", 2, Map.of("auto", 1.0, "automobile", 0.0));
        scores.put("img", 3, Map.of("person", 1.0));
        scores.put("img", 4, Map.of("auto", 0.0, "automobile", 1.0));
        int[] map = new int[4];
        for (int i = 0; i < 4; i++) map[i] = i;
        SegmentationSample s = new SegmentationSample("img", RgbImage.blank(2, 2), map,
                List.of(new Segment(1, 0, false), new Segment(2, 0, false), new Segment(3, 1, false), new Segment(4, 0, false)), List.of());
        ImageTargets t = ImageTargets.plain(Nd4j.zeros(4, 2, 2), new int[]{0, 0, 1, 0});
        ImageTargets d = new TextDiversification(classes, table, scores, SynonymSampler.authors()).enrich(s, s, t, new SplittableRandom(0));
        assertEquals(List.of("auto", "person", "dog", "automobile"), d.vocabulary(), "slot 0 renamed, an extra slot for the second synonym, absent classes keep their names");
        assertArrayEquals(new int[]{0, 0, 1, 3}, d.vocabularyTargets());
    }
}
