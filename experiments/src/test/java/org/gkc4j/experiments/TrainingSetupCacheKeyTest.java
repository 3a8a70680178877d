package org.gkc4j.experiments;

import org.gkc4j.pipeline.SampleSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The synonym scores are computed from the synonym candidates, which come from files (override tables) that the
 * training images do not depend on: their cache folder names the candidates, so an edited table is never served the
 * old table's scores, while the teacher features (which do not read the candidates) keep their key.
 */
class TrainingSetupCacheKeyTest {
    private static final Path CACHE = Path.of("cache");
    private static final String CLIP = "c0ffee";

    /** Only what the keys read: the content key, the vocabulary and the candidates. */
    private record Data(List<String> classes, Map<String, List<String>> synonyms) implements TrainingData {
        @Override
        public SampleSource train() {
            throw new UnsupportedOperationException("the cache keys never read the samples");
        }

        @Override
        public String contentKey() {
            return "synthetic-abc";
        }
    }

    private static Data data(List<String> personCandidates) {
        Map<String, List<String>> synonyms = new LinkedHashMap<>();
        synonyms.put("person", personCandidates);
        synonyms.put("dog", List.of("dog", "domestic dog"));
        return new Data(List.of("person", "dog", "sky"), synonyms);
    }

    private static String synonymDir(Data d) {
        return TrainingSetup.synonymScoresDir(CACHE, d, CLIP).getFileName().toString();
    }

    @Test
    void theSynonymCacheNamesTheCandidates() {
        Data base = data(List.of("person", "individual", "someone"));
        Data same = data(List.of("person", "individual", "someone"));
        Data oneMore = data(List.of("person", "individual", "someone", "human"));
        Data renamed = data(List.of("person", "individual", "somebody"));
        Data reordered = data(List.of("individual", "person", "someone"));

        assertEquals(synonymDir(base), synonymDir(same), "equal candidates built separately share the cache");
        assertNotEquals(synonymDir(base), synonymDir(oneMore));
        assertNotEquals(synonymDir(base), synonymDir(renamed));
        assertNotEquals(synonymDir(base), synonymDir(reordered));
        // the names cannot run into each other: ["ab", "c"] is not ["a", "bc"]
        assertNotEquals(synonymDir(data(List.of("ab", "c"))), synonymDir(data(List.of("a", "bc"))));

        String dir = synonymDir(base);
        assertTrue(dir.matches("synonym-scores-synthetic-abc-c0ffee-n" + TrainingSetup.CACHE_NUMERICS_VERSION + "-s[0-9a-f]{16}"), dir);
        assertEquals(CACHE.resolve(dir), TrainingSetup.synonymScoresDir(CACHE, base, CLIP));
    }

    @Test
    void aClassWithoutCandidatesIsTheSameWhetherListedEmptyOrAbsent() {
        Data absent = data(List.of("person"));
        Map<String, List<String>> withSky = new LinkedHashMap<>(absent.synonyms());
        withSky.put("sky", List.of());
        assertEquals(synonymDir(absent), synonymDir(new Data(absent.classes(), withSky)));
    }

    @Test
    void theTeacherKeyDoesNotDependOnTheCandidates() {
        String expected = "synthetic-abc-c0ffee-n" + TrainingSetup.CACHE_NUMERICS_VERSION;
        assertEquals(expected, TrainingSetup.cacheKey(data(List.of("person")), CLIP));
        assertEquals(expected, TrainingSetup.cacheKey(data(List.of("person", "human")), CLIP));
    }
}
