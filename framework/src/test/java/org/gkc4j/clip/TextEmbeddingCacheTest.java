package org.gkc4j.clip;

import org.gkc4j.GkcException;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextEmbeddingCacheTest {
    @TempDir
    Path dir;

    private static ClipTextEncoder encoder() {
        ClipWeights w = ClipWeights.load(Shared.require("fixtures/clip-rn-tiny/clip.safetensors"));
        return new ClipTextEncoder(w, ClipTokenizer.load(Shared.require("data/clip/bpe_simple_vocab_16e6.txt.gz")), 16);
    }

    @Test
    void repeatedVocabulariesCostNothingAcrossRuns() {
        ClipTextEncoder enc = encoder();
        List<String> names = List.of("cat", "dog", "traffic light");
        TextEmbeddingCache first = new TextEmbeddingCache(enc, PromptTemplates.RAW, dir);
        INDArray a = first.embed(names);
        assertEquals(3, first.misses());
        assertEquals(enc.encode(names), a, "raw template: the text tower's own output");
        first.embed(List.of("dog", "cat"));
        assertEquals(3, first.misses());
        TextEmbeddingCache second = new TextEmbeddingCache(enc, PromptTemplates.RAW, dir);
        assertEquals(a, second.embed(names));
        assertEquals(0, second.misses(), "read from disk");
        TextEmbeddingCache other = new TextEmbeddingCache(enc, PromptTemplates.ENSEMBLE, dir);
        INDArray e = other.embed(List.of("cat"));
        assertEquals(1, other.misses(), "another template set is another cache");
        assertEquals(1.0, e.norm2Number().doubleValue(), 1e-5, "ensembles are normalised means");
    }

    @Test
    void emptyVocabularyIsAClearError() {
        TextEmbeddingCache c = new TextEmbeddingCache(encoder(), PromptTemplates.RAW, null);
        assertTrue(assertThrows(GkcException.class, () -> c.embed(List.of())).getMessage().contains("empty"));
    }
}
