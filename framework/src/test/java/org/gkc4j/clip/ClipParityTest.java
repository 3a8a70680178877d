package org.gkc4j.clip;

import org.gkc4j.GkcException;
import org.gkc4j.io.Npy;
import org.gkc4j.io.Safetensors;
import org.gkc4j.testing.AuthorsReference;
import org.gkc4j.testing.Graphs;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLIP towers against PyTorch outputs of openai/CLIP's model on the shared tiny random CLIP. */
class ClipParityTest {
    /**
     * max|a-b| / max|b| allowed against PyTorch's float32 outputs: measured 4e-7 .. 7e-7 over the text and image
     * features and the four stage maps, allowed about 4x that.
     */
    static final double TOLERANCE = 3e-6;

    /**
     * DOUBLE against openai/CLIP run in float64, measured: text features 1.0e-15 (worst text 1.6e-15), image features
     * 3.7e-16, stage maps 3.8e-16 .. 4.6e-16; allowed about 10x. A channel map is measured against its own maximum,
     * which after the final ReLU can be a small remainder of a cancelling sum: worst 3.5e-12 (layer4), allowed 3e-11.
     */
    static final double DOUBLE_TEXT = 1e-14, DOUBLE_IMAGE = 1e-14, DOUBLE_CHANNEL_MAP = 3e-11;

    @TempDir
    Path dir;

    private static Path fixture(String f) {
        return Shared.require("fixtures/clip-rn-tiny/" + f);
    }

    @Test
    void infersTheFixtureConfigFromShapesAndMetadata() {
        ClipConfig c = ClipWeights.load(fixture("clip.safetensors")).config();
        assertEquals(new ClipConfig(32, 64, List.of(1, 1, 1, 1), 16, 77, 49408, 32, 4, 2), c);
    }

    @Test
    void textFeaturesMatchPyTorch() {
        ClipWeights w = ClipWeights.load(fixture("clip.safetensors"));
        INDArray ids = Npy.read(fixture("texts_token_ids.npy"));
        INDArray got = new ClipTextEncoder(w, null, 64).encodeIds(ids);
        INDArray want = Npy.read(fixture("text_features.npy"));
        assertArrayEquals(want.shape(), got.shape());
        double rel = Graphs.relDiff(got, want);
        System.out.printf("CLIP parity: text features %.2e%n", rel);
        assertTrue(rel <= TOLERANCE, "text features differ from PyTorch: max|a-b|/max|b| = " + rel);
    }

    @Test
    void imageFeaturesAndStageMapsMatchPyTorch() {
        ClipWeights w = ClipWeights.load(fixture("clip.safetensors"));
        INDArray images = Npy.read(fixture("images.npy"));
        ClipImageEncoder enc = new ClipImageEncoder(w, images.size(0), images.size(2), images.size(3), false);
        Map<String, INDArray> out = enc.run(images, List.of(ClipImageEncoder.GLOBAL, "layer1", "layer2", "layer3", "layer4"));
        double rel = Graphs.relDiff(out.get(ClipImageEncoder.GLOBAL), Npy.read(fixture("image_features.npy")));
        System.out.printf("CLIP parity: image features %.2e%n", rel);
        assertTrue(rel <= TOLERANCE, "image features: " + rel);
        for (int i = 1; i <= 4; i++) {
            INDArray want = Npy.read(fixture("visual_layer" + i + ".npy"));
            assertArrayEquals(want.shape(), out.get("layer" + i).shape());
            double r = Graphs.relDiff(out.get("layer" + i), want);
            System.out.printf("CLIP parity: layer%d %.2e%n", i, r);
            assertTrue(r <= TOLERANCE, "layer" + i + ": " + r);
        }
    }

    /** DOUBLE text tower against openai/CLIP run in float64 (reference/authors-network): all rows, then row by row. */
    @Test
    void doubleTextFeaturesMatchTheFloat64Run() {
        ClipWeights w = ClipWeights.load(fixture("clip.safetensors"));
        INDArray want = AuthorsReference.read("clip_text_features");
        INDArray got = new ClipTextEncoder(w, null, 64, DataType.DOUBLE).encodeIds(Npy.read(fixture("texts_token_ids.npy")));
        assertArrayEquals(want.shape(), got.shape());
        double rel = Graphs.relDiff(got, want), row = Graphs.worstGroupRelDiff(got, want, 1);
        System.out.printf("CLIP DOUBLE vs float64: text features %.2e (worst text %.2e)%n", rel, row);
        assertTrue(rel <= DOUBLE_TEXT && row <= DOUBLE_TEXT, "text features " + rel + ", worst text " + row + " > " + DOUBLE_TEXT);
    }

    /**
     * DOUBLE image tower against openai/CLIP run in float64: the embedding image by image, each stage map as a whole
     * and channel map by channel map (the reference keeps layer1 of the first images only, to stay small).
     */
    @Test
    void doubleImageFeaturesAndStageMapsMatchTheFloat64Run() {
        ClipWeights w = ClipWeights.load(fixture("clip.safetensors"));
        INDArray images = Npy.read(fixture("images.npy")).castTo(DataType.DOUBLE);
        ClipImageEncoder enc = new ClipImageEncoder(w, images.size(0), images.size(2), images.size(3), false, DataType.DOUBLE);
        Map<String, INDArray> out = enc.run(images, List.of(ClipImageEncoder.GLOBAL, "layer1", "layer2", "layer3", "layer4"));
        List<String> failures = new java.util.ArrayList<>();
        INDArray want = AuthorsReference.read("clip_image_features");
        double rel = Graphs.relDiff(out.get(ClipImageEncoder.GLOBAL), want), row = Graphs.worstGroupRelDiff(out.get(ClipImageEncoder.GLOBAL), want, 1);
        System.out.printf("CLIP DOUBLE vs float64: image features %.2e (worst image %.2e)%n", rel, row);
        if (!(rel <= DOUBLE_IMAGE && row <= DOUBLE_IMAGE)) {
            failures.add("image features " + rel + ", worst image " + row + " > " + DOUBLE_IMAGE);
        }
        for (int i = 1; i <= 4; i++) {
            INDArray ref = AuthorsReference.read("clip_visual_layer" + i);
            INDArray got = out.get("layer" + i).get(NDArrayIndex.interval(0, ref.size(0)), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
            assertArrayEquals(ref.shape(), got.shape());
            double r = Graphs.relDiff(got, ref), map = Graphs.worstGroupRelDiff(got, ref, 2);
            System.out.printf("CLIP DOUBLE vs float64: layer%d %.2e (worst channel map %.2e)%n", i, r, map);
            if (!(r <= DOUBLE_IMAGE && map <= DOUBLE_CHANNEL_MAP)) {
                failures.add("layer" + i + " " + r + ", worst channel map " + map + " (limits " + DOUBLE_IMAGE + ", " + DOUBLE_CHANNEL_MAP + ")");
            }
        }
        assertTrue(failures.isEmpty(), String.join("; ", failures));
    }

    @Test
    void denseAttentionPoolKeepsTheGlobalVector() {
        ClipWeights w = ClipWeights.load(fixture("clip.safetensors"));
        INDArray images = Npy.read(fixture("images.npy"));
        ClipImageEncoder dense = new ClipImageEncoder(w, images.size(0), images.size(2), images.size(3), true);
        Map<String, INDArray> out = dense.run(images, List.of(ClipImageEncoder.GLOBAL, ClipImageEncoder.DENSE));
        assertTrue(Graphs.relDiff(out.get(ClipImageEncoder.GLOBAL), Npy.read(fixture("image_features.npy"))) <= TOLERANCE,
                "all-token queries leave token 0's output unchanged");
        assertArrayEquals(new long[]{images.size(0), 32, 2, 2}, out.get(ClipImageEncoder.DENSE).shape());
    }

    @Test
    void otherInputSizesResizeThePositionalEmbedding() {
        ClipWeights w = ClipWeights.load(fixture("clip.safetensors"));
        INDArray big = Graphs.randn(3, 1, 3, 96, 128).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        Map<String, INDArray> out = new ClipImageEncoder(w, 1, 96, 128, true).run(big, List.of(ClipImageEncoder.GLOBAL, ClipImageEncoder.DENSE));
        assertArrayEquals(new long[]{1, 32}, out.get(ClipImageEncoder.GLOBAL).shape());
        assertArrayEquals(new long[]{1, 32, 3, 4}, out.get(ClipImageEncoder.DENSE).shape(), "a 3x4 grid from the trained 2x2 table");
        assertTrue(Double.isFinite(out.get(ClipImageEncoder.DENSE).sumNumber().doubleValue()));
    }

    @Test
    void exportRoundTripsExactly() {
        ClipWeights w = ClipWeights.load(fixture("clip.safetensors"));
        Path out = dir.resolve("clip.safetensors");
        w.save(out);
        ClipWeights back = ClipWeights.load(out);
        assertEquals(w.config(), back.config());
        assertEquals(w.tensors().keySet(), back.tensors().keySet());
        for (String k : w.tensors().keySet()) {
            assertEquals(w.tensors().get(k), back.tensors().get(k), k);
        }
        try (Safetensors a = Safetensors.open(fixture("clip.safetensors")); Safetensors b = Safetensors.open(out)) {
            assertEquals(List.copyOf(a.entries().keySet()), List.copyOf(b.entries().keySet()), "same key order as OpenAI's");
        }
    }

    @Test
    void missingAndMisshapenTensorsAreNamed() {
        ClipWeights w = ClipWeights.load(fixture("clip.safetensors"));
        LinkedHashMap<String, INDArray> t = new LinkedHashMap<>(w.tensors());
        t.remove("visual.layer2.0.bn3.running_var");
        t.put("ln_final.bias", org.nd4j.linalg.factory.Nd4j.zeros(7));
        t.put("visual.extra.weight", org.nd4j.linalg.factory.Nd4j.zeros(2));
        Path bad = dir.resolve("bad.safetensors");
        Safetensors.write(bad, t, Map.of("transformer_heads", "4"));
        GkcException e = assertThrows(GkcException.class, () -> ClipWeights.load(bad));
        assertTrue(e.getMessage().contains("missing 1: visual.layer2.0.bn3.running_var"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected 1: visual.extra.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("wrong shape 1: ln_final.bias [7]"), e.getMessage());
    }

    @Test
    void damagedWeightsFileIsOneLine() throws Exception {
        byte[] bytes = Files.readAllBytes(fixture("clip.safetensors"));
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        GkcException e = assertThrows(GkcException.class, () -> ClipWeights.load(cut));
        assertTrue(e.getMessage().startsWith("damaged safetensors file"), e.getMessage());
    }
}
