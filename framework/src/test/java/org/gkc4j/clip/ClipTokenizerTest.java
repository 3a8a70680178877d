package org.gkc4j.clip;

import org.gkc4j.GkcException;
import org.gkc4j.io.Npy;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipTokenizerTest {
    @TempDir
    Path dir;

    static ClipTokenizer openai() {
        return ClipTokenizer.load(Shared.require("data/clip/bpe_simple_vocab_16e6.txt.gz"));
    }

    /** texts.txt lines exactly as Python's splitlines would give them (the file ends with a newline). */
    static List<String> fixtureTexts() throws IOException {
        String all = Files.readString(Shared.require("fixtures/clip-rn-tiny/texts.txt"), StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(Arrays.asList(all.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    @Test
    void vocabularyHasOpenAiSize() {
        ClipTokenizer t = openai();
        assertEquals(49408, t.vocabSize());
        assertEquals(49406, t.startId());
        assertEquals(49407, t.endId());
    }

    @Test
    void methodDocumentTestVectors() {
        ClipTokenizer t = openai();
        assertEquals(List.of(2533), t.encode("person"));
        assertEquals(List.of(3399, 1395), t.encode("traffic light"));
        assertEquals(List.of(2489, 3487), t.encode("door stuff"));
        assertEquals(List.of(47368, 1570), t.encode("playingfield"));
        assertEquals(List.of(1759, 267, 5261), t.encode("road, route"));
        assertEquals(List.of(2751, 318, 1265), t.encode("human_being"));
        assertEquals(List.of(320, 1125, 539, 320, 2368), t.encode("a photo of a cat"));
    }

    @Test
    void everyFixtureRowMatchesOpenAi() throws IOException {
        ClipTokenizer t = openai();
        List<String> texts = fixtureTexts();
        INDArray want = Npy.read(Shared.require("fixtures/clip-rn-tiny/texts_token_ids.npy"));
        assertEquals(want.size(0), texts.size(), "one row per text line");
        INDArray got = t.tokenize(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(want.getRow(i).toIntVector(), got.getRow(i).toIntVector(), "row " + i + ": '" + texts.get(i) + "'");
        }
    }

    @Test
    void overLongTextKeepsItsStartAndEndsWithTheEndToken() {
        ClipTokenizer t = openai();
        int[] row = t.tokenize("word ".repeat(200), 77);
        assertEquals(49406, row[0]);
        assertEquals(49407, row[76]);
        assertEquals(2653, row[75]);
    }

    @Test
    void decodeInvertsEncode() {
        ClipTokenizer t = openai();
        assertEquals("a photo of a café", t.decode(t.tokenize("A photo of a Café", 77)));
    }

    @Test
    void huggingFacePairGivesTheSameIds() throws IOException {
        ClipTokenizer t = openai();
        // write the same vocabulary as a Hugging Face vocab.json + merges.txt pair
        StringBuilder json = new StringBuilder("{");
        List<String> vocab = ByteLevelBpe.vocabularyFor(t.merges(), ClipTokenizer.START, ClipTokenizer.END);
        for (int i = 0; i < vocab.size(); i++) {
            json.append(i == 0 ? "" : ",").append(com.fasterxml.jackson.databind.node.TextNode.valueOf(vocab.get(i))).append(':').append(i);
        }
        json.append('}');
        Path hf = dir.resolve("hf");
        Files.createDirectories(hf);
        Files.writeString(hf.resolve("vocab.json"), json, StandardCharsets.UTF_8);
        ClipTokenizer.writeMerges(hf.resolve("merges.txt"), t.merges());
        ClipTokenizer h = ClipTokenizer.load(hf);
        for (String s : List.of("a photo of a cat", "Fish &amp; chips", "東京タワー", "<|startoftext|>x")) {
            assertEquals(t.encode(s), h.encode(s), s);
        }
    }

    @Test
    void badMergesFilesAreOneLineErrors() throws IOException {
        assertTrue(assertThrows(GkcException.class, () -> ClipTokenizer.load(dir.resolve("none.txt"))).getMessage().contains("not found"));
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "#version: 0.2\n");
        assertTrue(assertThrows(GkcException.class, () -> ClipTokenizer.load(empty)).getMessage().contains("holds no merges"));
        Path bad = dir.resolve("bad.txt");
        Files.writeString(bad, "#version: 0.2\na b c\n");
        assertTrue(assertThrows(GkcException.class, () -> ClipTokenizer.load(bad)).getMessage().contains("line 2"));
    }
}
