package org.gkc4j.cli;

import org.gkc4j.clip.ClipWeights;
import org.gkc4j.io.Npy;
import org.gkc4j.io.Safetensors;
import org.gkc4j.io.TensorDType;
import org.gkc4j.testing.Graphs;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command-line contracts of design.md on the shared fixture. */
class ClipCommandTest {
    @TempDir
    Path dir;

    static int run(StringWriter err, String... args) {
        return GkcMain.execute(args, new PrintWriter(new StringWriter()), new PrintWriter(err, true));
    }

    private static String fx(String f) {
        return Shared.require("fixtures/clip-rn-tiny/" + f).toString();
    }

    @Test
    void tokenizeReproducesTheFixtureIdsExactly() {
        Path out = dir.resolve("ids.npy");
        StringWriter err = new StringWriter();
        assertEquals(0, run(err, "clip", "tokenize", "--vocab", Shared.require("data/clip/bpe_simple_vocab_16e6.txt.gz").toString(),
                "--texts", fx("texts.txt"), "--out", out.toString()), err.toString());
        assertEquals(Npy.read(Path.of(fx("texts_token_ids.npy"))), Npy.read(out));
    }

    @Test
    void encodeTextAndImageMatchPyTorch() {
        Path t = dir.resolve("t.npy"), i = dir.resolve("i.npy"), feats = dir.resolve("feats");
        StringWriter err = new StringWriter();
        assertEquals(0, run(err, "clip", "encode-text", "--weights", fx("clip.safetensors"), "--vocab",
                Shared.require("data/clip/bpe_simple_vocab_16e6.txt.gz").toString(), "--texts", fx("texts.txt"), "--out", t.toString()), err.toString());
        assertTrue(Graphs.relDiff(Npy.read(t), Npy.read(Path.of(fx("text_features.npy")))) <= 1e-4);
        assertEquals(0, run(err, "clip", "encode-image", "--weights", fx("clip.safetensors"), "--images", fx("images.npy"),
                "--out", i.toString(), "--features-dir", feats.toString(), "--batch", "3"), err.toString());
        assertTrue(Graphs.relDiff(Npy.read(i), Npy.read(Path.of(fx("image_features.npy")))) <= 1e-4);
        for (int l = 1; l <= 4; l++) {
            INDArray want = Npy.read(Path.of(fx("visual_layer" + l + ".npy")));
            assertTrue(Graphs.relDiff(Npy.read(feats.resolve("layer" + l + ".npy")), want) <= 1e-4, "layer" + l);
        }
    }

    @Test
    void damagedWeightsEndInOneLineAndNonZeroExit() throws IOException {
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        StringWriter err = new StringWriter();
        int code = run(err, "clip", "encode-image", "--weights", bad.toString(), "--images", fx("images.npy"), "--out", dir.resolve("x.npy").toString());
        assertEquals(1, code);
        String msg = err.toString().strip();
        assertTrue(msg.startsWith("gkc: damaged safetensors file"), msg);
        assertEquals(1, msg.lines().count(), "one line, no stack trace: " + msg);
        StringWriter err2 = new StringWriter();
        assertEquals(1, run(err2, "clip", "encode-image", "--weights", dir.resolve("missing.safetensors").toString(), "--images", fx("images.npy"), "--out", "x"));
        assertTrue(err2.toString().contains("weights file not found"), err2.toString());
    }

    private static String pt(String f) {
        return Shared.require("fixtures/clip-rn-tiny-pt/" + f).toString();
    }

    @Test
    void encodeTextTakesOpenAisTorchScriptFile() {
        Path t = dir.resolve("t.npy");
        StringWriter err = new StringWriter();
        assertEquals(0, run(err, "clip", "encode-text", "--weights", pt("clip_fp16_jit.pt"), "--vocab",
                Shared.require("data/clip/bpe_simple_vocab_16e6.txt.gz").toString(), "--texts", fx("texts.txt"), "--out", t.toString()), err.toString());
        assertTrue(Graphs.relDiff(Npy.read(t), Npy.read(Path.of(pt("text_features_fp16.npy")))) <= 1e-4);
    }

    @Test
    void convertWritesTheSameTensorsAsSafetensors() {
        for (String in : new String[]{"clip_fp16_jit.pt", "clip_state_dict.pt"}) {
            Path out = dir.resolve(in + ".safetensors");
            StringWriter err = new StringWriter();
            assertEquals(0, run(err, "clip", "convert", "--in", pt(in), "--out", out.toString()), err.toString());
            ClipWeights from = ClipWeights.load(Path.of(pt(in))), back = ClipWeights.load(out);
            assertEquals(from.config(), back.config());
            assertEquals(List.copyOf(from.tensors().keySet()), List.copyOf(back.tensors().keySet()));
            from.tensors().forEach((k, v) -> assertEquals(v, back.tensors().get(k), k));
            try (Safetensors st = Safetensors.open(out)) {
                assertEquals("1", st.metadata().get("transformer_heads"), "the head count the .pt file could not carry");
                assertTrue(st.entries().values().stream().allMatch(e -> e.dtype() == TensorDType.F32));
            }
        }
    }

    @Test
    void convertRefusesHostileAndMisnamedFilesInOneLine() throws IOException {
        Path out = dir.resolve("x.safetensors");
        StringWriter err = new StringWriter();
        assertEquals(1, run(err, "clip", "convert", "--in", pt("hostile.pt"), "--out", out.toString()));
        String msg = err.toString().strip();
        assertTrue(msg.contains("refused the global 'posix.system'"), msg);
        assertEquals(1, msg.lines().count(), msg);
        assertFalse(Files.exists(out));
        StringWriter err2 = new StringWriter();
        Path copy = dir.resolve("same.pt");
        Files.copy(Path.of(pt("clip_state_dict.pt")), copy);
        assertEquals(1, run(err2, "clip", "convert", "--in", copy.toString(), "--out", copy.toString()));
        assertTrue(err2.toString().contains("is the input file"), err2.toString());
        StringWriter err3 = new StringWriter();
        assertEquals(1, run(err3, "clip", "convert", "--in", dir.resolve("absent.pt").toString(), "--out", out.toString()));
        assertTrue(err3.toString().contains("weights file not found"), err3.toString());
    }
}
