package org.gkc4j.pipeline.text;

import org.gkc4j.GkcException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Caption nouns with the OpenNLP English UD-EWT models; the models (and WordNet) are loaded once. */
class CaptionNounsTest {
    static CaptionNouns tagger;
    static WordNetSynonyms wn;

    @BeforeAll
    static void load() {
        tagger = CaptionNouns.load();
        wn = WordNetSynonyms.load();
    }

    @AfterAll
    static void close() {
        wn.close();
    }

    @Test
    void modelsComeFromTheClassPath() {
        assertTrue(tagger.models().contains("opennlp-en-ud-ewt-tokens-") && tagger.models().contains("opennlp-en-ud-ewt-pos-"), tagger.models());
    }

    @Test
    void commonAndProperNounsSingularAndPlural() {
        assertEquals(List.of("man", "wave", "top", "surfboard"), tagger.nouns("A man riding a wave on top of a surfboard."));
        assertEquals(List.of("dogs", "frisbee", "park"), tagger.nouns("Two dogs are playing with a frisbee in the park."));
        assertEquals(List.of("bathroom", "toilet", "sink", "shower"), tagger.nouns("A bathroom with a toilet, sink and shower."));
        assertEquals(List.of("clock", "tower", "London", "Thames", "river"), tagger.nouns("A clock tower in London near the Thames river."));
        assertEquals(List.of("woman", "umbrella", "street"), tagger.nouns("a woman holding an umbrella while walking down a street"));
        assertEquals(List.of(), tagger.nouns("  "));
        assertEquals(List.of(), tagger.nouns(null));
    }

    @Test
    void wordNetCheckDropsAdjectivesTheTaggerCallsNouns() {
        String caption = "Pizza with cheese and pepperoni on a wooden table.";
        assertEquals(List.of("Pizza", "cheese", "pepperoni", "wooden", "table"), tagger.nouns(caption), "the EWT tagger's known slip");
        CaptionNouns checked = tagger.checkedBy(wn);
        assertEquals(List.of("Pizza", "cheese", "pepperoni", "table"), checked.nouns(caption));
        assertEquals(List.of("giraffes", "field", "trees"), checked.nouns("Two giraffes standing in a grassy field next to trees."));
        assertEquals(List.of("clock", "tower", "London", "Thames", "river"), checked.nouns("A clock tower in London near the Thames river."),
                "proper nouns are kept as tagged");
        assertTrue(checked.models().contains("WordNet 3.0"), checked.models());
    }

    @Test
    void samplerKeepsAtMostFiveInCaptionOrderAndIsSeeded() {
        List<String> nouns = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        for (long seed = 0; seed < 200; seed++) {
            List<String> s = CaptionNouns.sample(nouns, new SplittableRandom(seed), CaptionNouns.Sampling.AUTHORS);
            assertTrue(!s.isEmpty() && s.size() <= 5, s.toString());
            assertEquals(s.stream().sorted().toList(), s, "a subsequence of the caption's nouns");
            assertEquals(s, CaptionNouns.sample(nouns, new SplittableRandom(seed), CaptionNouns.Sampling.AUTHORS), "same seed, same draw");
        }
        assertNotEquals(CaptionNouns.sample(nouns, new SplittableRandom(1), CaptionNouns.Sampling.AUTHORS),
                CaptionNouns.sample(nouns, new SplittableRandom(2), CaptionNouns.Sampling.AUTHORS));
        assertEquals(List.of(), CaptionNouns.sample(List.of(), new SplittableRandom(0), CaptionNouns.Sampling.AUTHORS));
    }

    @Test
    void eachNounIsDroppedWithProbabilityOneQuarter() {
        List<String> three = List.of("dog", "frisbee", "park");
        RandomGenerator random = new SplittableRandom(7);
        int trials = 20000;
        int kept = 0;
        int allThree = 0;
        for (int t = 0; t < trials; t++) {
            List<String> s = CaptionNouns.sample(three, random, CaptionNouns.Sampling.AUTHORS);
            assertFalse(s.isEmpty());
            kept += s.size();
            allThree += s.size() == 3 ? 1 : 0;
        }
        // all three survive (0.75^3) or all three drop and are restored (0.25^3)
        assertEquals(0.421875 + 0.015625, allThree / (double) trials, 0.015);
        // E[kept] = 3 * 0.75 + 3 * 0.25^3
        assertEquals(2.296875, kept / (double) trials, 0.02);
    }

    @Test
    void whenEveryNounWouldDropAllAreKept() {
        RandomGenerator alwaysDrop = new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0L;
            }

            @Override
            public double nextDouble() {
                return 0.0;
            }
        };
        assertEquals(List.of("dog", "park"), CaptionNouns.sample(List.of("dog", "park"), alwaysDrop, CaptionNouns.Sampling.AUTHORS));
        assertEquals(List.of("x"), CaptionNouns.sample(List.of("x"), alwaysDrop, new CaptionNouns.Sampling(5, 1.0)));
        assertEquals(2, CaptionNouns.sample(List.of("dog", "park", "cat"), new SplittableRandom(3), new CaptionNouns.Sampling(2, 0.0)).size(),
                "maxNouns caps the count");
    }

    @Test
    void captionSamplingUsesTheTagger() {
        String caption = "A kitchen with a stove, a sink, a fridge, a table, chairs and a window.";
        List<String> all = tagger.nouns(caption);
        assertEquals(List.of("kitchen", "stove", "sink", "fridge", "table", "chairs", "window"), all);
        List<String> s = tagger.sample(caption, new SplittableRandom(11));
        assertTrue(s.size() <= 5 && all.containsAll(s), s.toString());
        assertEquals(all, tagger.sample(caption, new SplittableRandom(11), new CaptionNouns.Sampling(10, 0.0)));
    }

    @Test
    void samplingOptionsAreChecked() {
        assertThrows(GkcException.class, () -> new CaptionNouns.Sampling(0, 0.25));
        assertThrows(GkcException.class, () -> new CaptionNouns.Sampling(5, 1.5));
        assertThrows(GkcException.class, () -> new CaptionNouns.Sampling(5, -0.1));
    }

    @Test
    void safeAcrossThreads() throws Exception {
        List<String> captions = List.of("A man riding a wave on top of a surfboard.", "Two dogs are playing with a frisbee in the park.",
                "A bathroom with a toilet, sink and shower.");
        List<List<String>> expected = captions.stream().map(tagger::nouns).toList();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                futures.add(pool.submit(() -> {
                    for (int r = 0; r < 20; r++) {
                        for (int i = 0; i < captions.size(); i++) {
                            if (!tagger.nouns(captions.get(i)).equals(expected.get(i))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : futures) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
