package org.gkc4j.clip;

import org.gkc4j.io.Safetensors;
import org.gkc4j.io.TensorDType;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A full-size RN50 CLIP with random weights in OpenAI's layout: import, parameter counts, one forward of each tower. */
class FullSizeRn50Test {
    @TempDir
    Path dir;

    @Test
    void keyListMatchesTheSharedRn50KeysFile() throws IOException {
        Path tsv = Shared.require("docs/rn50-state-dict-keys.tsv");
        Map<String, String> shared = new LinkedHashMap<>();
        for (String line : Files.readAllLines(tsv)) {
            String[] p = line.split("\t");
            if (!ClipConfig.ignored(p[0])) {
                shared.put(p[0], p[1].replace(" ", ""));
            }
        }
        Map<String, String> ours = new LinkedHashMap<>();
        ClipConfig.rn50().expectedShapes().forEach((k, s) -> ours.put(k, Arrays.toString(s).replace(" ", "")));
        List<String> differences = new ArrayList<>();
        shared.forEach((k, s) -> {
            if (!s.equals(ours.get(k))) differences.add(k + " " + s + " vs ours " + ours.get(k));
        });
        ours.keySet().stream().filter(k -> !shared.containsKey(k)).forEach(k -> differences.add("only ours: " + k));
        assertTrue(differences.isEmpty(), differences.size() + " differences, first: " + differences.subList(0, Math.min(5, differences.size())));
        assertEquals(shared.size(), ours.size());
    }

    @Test
    void importsCountsAndRunsBothTowers() throws IOException {
        ClipConfig cfg = ClipConfig.rn50();
        LinkedHashMap<String, INDArray> t = new LinkedHashMap<>(ClipWeights.random(cfg, 5).tensors());
        Path file = dir.resolve("rn50.safetensors");
        Map<String, TensorDType> half = new HashMap<>();
        t.keySet().forEach(k -> half.put(k, TensorDType.F16));
        Safetensors.write(file, t, Map.of("format", "pt"), half);   // no heads metadata: OpenAI's width/64 rule applies

        ClipWeights w = ClipWeights.load(file);
        assertEquals(cfg, w.config());
        long[] counts = w.parameterCounts();
        assertEquals(38.3e6, counts[0], 0.05e6, "visual parameters");
        assertEquals(63.7e6, counts[1], 0.05e6, "text parameters with embeddings");

        INDArray image = Nd4j.randn(DataType.FLOAT, 1, 3, 224, 224);
        ClipImageEncoder encoder = new ClipImageEncoder(w, 1, 224, 224, false);
        org.gkc4j.util.OpTimeProfile profile = new org.gkc4j.util.OpTimeProfile();   // what bench clip --profile-ops attaches
        encoder.addListener(profile);
        INDArray f = encoder.encode(image);
        assertArrayEquals(new long[]{1, 1024}, f.shape());
        assertTrue(Double.isFinite(f.sumNumber().doubleValue()));
        Path ops = dir.resolve("ops.tsv");
        profile.write(ops);
        // 3 stem convolutions, 3 per bottleneck (3 + 4 + 6 + 3 of them) and 4 downsampling shortcuts, BatchNorm folded in
        String conv = Files.readAllLines(ops).stream().filter(l -> l.startsWith("conv2d\t")).findFirst().orElseThrow();
        assertEquals("55", conv.split("\t")[1], "one conv2d call per convolution of the tower: " + conv);

        ClipTokenizer tok = ClipTokenizer.load(Shared.require("data/clip/bpe_simple_vocab_16e6.txt.gz"));
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            prompts.add("a photo of a thing number " + i + ".");
        }
        INDArray text = new ClipTextEncoder(w, tok, 80).encode(prompts);
        assertArrayEquals(new long[]{80, 1024}, text.shape());
        assertTrue(Double.isFinite(text.sumNumber().doubleValue()));
    }
}
