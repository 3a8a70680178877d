package org.gkc4j.model;

import org.gkc4j.io.Npy;
import org.gkc4j.io.Safetensors;
import org.gkc4j.testing.Graphs;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole network against PyTorch outputs of the authors' modules on the shared tiny GKC network. */
class GkcNetworkParityTest {
    private static String fx(String f) {
        return "fixtures/gkc-net-tiny/" + f;
    }

    @Test
    void readsTheDetectron2Config() {
        GkcModelConfig c = D2Config.read(Shared.require(fx("config.yaml")));
        assertEquals(java.util.List.of(1, 1, 1, 1), c.backbone().layers());
        assertEquals(8, c.backbone().width());
        assertEquals(32, c.pixelDecoder().convDim());
        assertEquals(2, c.pixelDecoder().encoderLayers());
        assertEquals(4, c.decoder().decLayers());
        assertEquals(8, c.decoder().queries());
        assertEquals(24, c.head().embedDim());
    }

    @Test
    void matchesPyTorchOnEveryOutput() {
        GkcModelConfig cfg = D2Config.read(Shared.require(fx("config.yaml")));
        Map<String, INDArray> weights;
        try (Safetensors st = Safetensors.open(Shared.require(fx("gkc.safetensors")))) {
            weights = st.readAll();
        }
        INDArray images = Npy.read(Shared.require(fx("images.npy")));
        INDArray text = Npy.read(Shared.require(fx("text_features.npy")));
        GkcPredictor.Result r = new GkcPredictor(cfg, weights).run(images, text);
        INDArray masks = Npy.read(Shared.require(fx("pred_masks.npy")));
        INDArray logits = Npy.read(Shared.require(fx("class_logits.npy")));
        INDArray sem = Npy.read(Shared.require(fx("sem_seg.npy")));
        assertArrayEquals(masks.shape(), r.predMasks().shape());
        assertArrayEquals(logits.shape(), r.classLogits().shape());
        assertArrayEquals(sem.shape(), r.semSeg().shape());
        double m = Graphs.relDiff(r.predMasks(), masks), l = Graphs.relDiff(r.classLogits(), logits), s = Graphs.relDiff(r.semSeg(), sem);
        System.out.printf("parity: pred_masks %.2e, class_logits %.2e, sem_seg %.2e%n", m, l, s);
        assertTrue(m <= 1e-4, "pred_masks " + m);
        assertTrue(l <= 1e-4, "class_logits " + l);
        assertTrue(s <= 1e-4, "sem_seg " + s);
    }
}
