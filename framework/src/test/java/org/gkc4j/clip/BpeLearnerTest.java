package org.gkc4j.clip;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeLearnerTest {
    @TempDir
    Path dir;

    @Test
    void learnsFrequentWordsAndRoundTripsThroughTheMergesFormat() {
        List<String> corpus = List.of("a red circle", "a red square", "the red circle on the grass", "a blue circle");
        List<String[]> merges = BpeLearner.learn(corpus, 200, 2);
        // the most frequent pair across the corpus is merged first: "c" "i" (circle x3) ties with others; at least
        // frequent whole words become single tokens
        ClipTokenizer tok = ClipTokenizer.fromMerges(merges);
        assertEquals(1, tok.encode("circle").size(), "a word seen three times is one token");
        assertEquals(1, tok.encode("red").size());
        assertTrue(tok.encode("zebra").size() > 1, "an unseen word falls back to smaller pieces");
        Path f = dir.resolve("merges.txt");
        ClipTokenizer.writeMerges(f, merges);
        ClipTokenizer back = ClipTokenizer.load(f);
        assertEquals(tok.vocabSize(), back.vocabSize());
        assertEquals(tok.encode("a red circle on the grass"), back.encode("a red circle on the grass"));
        assertEquals(512 + merges.size() + 2, tok.vocabSize());
        assertEquals(tok.vocabSize() - 1, tok.endId(), "the end token is the largest id, as the text tower's pooling needs");
    }

    @Test
    void deterministic() {
        List<String> corpus = List.of("lemon star", "lemon ring", "lilac ring", "lilac star");
        List<String[]> a = BpeLearner.learn(corpus, 50, 1), b = BpeLearner.learn(corpus, 50, 1);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i));
    }
}
