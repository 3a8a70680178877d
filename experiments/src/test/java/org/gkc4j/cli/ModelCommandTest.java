package org.gkc4j.cli;

import org.gkc4j.GkcException;
import org.gkc4j.experiments.TrainedModel;
import org.gkc4j.io.Npy;
import org.gkc4j.io.TensorDType;
import org.gkc4j.io.WeightFiles;
import org.gkc4j.testing.TorchFiles;
import org.gkc4j.testing.Graphs;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelCommandTest {
    @TempDir
    Path dir;

    private static String fx(String f) {
        return Shared.require("fixtures/gkc-net-tiny/" + f).toString();
    }

    @Test
    void forwardWritesTheThreeArraysWithinParity() {
        StringWriter err = new StringWriter();
        int code = ClipCommandTest.run(err, "model", "forward", "--weights", fx("gkc.safetensors"), "--d2-config", fx("config.yaml"),
                "--images", fx("images.npy"), "--text-features", fx("text_features.npy"), "--out", dir.toString());
        assertEquals(0, code, err.toString());
        for (String n : new String[]{"pred_masks", "class_logits", "sem_seg"}) {
            double r = Graphs.relDiff(Npy.read(dir.resolve(n + ".npy")), Npy.read(Path.of(fx(n + ".npy"))));
            assertTrue(r <= 1e-4, n + " " + r);
        }
    }

    @Test
    void weightsOfAnotherNetworkAreOneClearLine() {
        StringWriter err = new StringWriter();
        int code = ClipCommandTest.run(err, "model", "forward", "--weights", Shared.require("fixtures/clip-rn-tiny/clip.safetensors").toString(),
                "--d2-config", fx("config.yaml"), "--images", fx("images.npy"), "--text-features", fx("text_features.npy"), "--out", dir.toString());
        assertEquals(1, code);
        assertTrue(err.toString().startsWith("gkc: the weights do not fit the network: missing"), err.toString());
        assertEquals(1, err.toString().strip().lines().count());
    }

    @Test
    void forwardTakesADetectronStylePthWithTheSameResult() {
        Path pth = dir.resolve("model_final.pth");
        TorchFiles.saveStateDict(pth, WeightFiles.readAll(Path.of(fx("gkc.safetensors"))).tensors(), TensorDType.F32, true);
        Path out = dir.resolve("out");
        StringWriter err = new StringWriter();
        int code = ClipCommandTest.run(err, "model", "forward", "--weights", pth.toString(), "--d2-config", fx("config.yaml"),
                "--images", fx("images.npy"), "--text-features", fx("text_features.npy"), "--out", out.toString());
        assertEquals(0, code, err.toString());
        double r = Graphs.relDiff(Npy.read(out.resolve("sem_seg.npy")), Npy.read(Path.of(fx("sem_seg.npy"))));
        assertTrue(r <= 1e-4, "sem_seg " + r);
        GkcException e = assertThrows(GkcException.class, () -> TrainedModel.load(pth));
        assertTrue(e.getMessage().contains("is a PyTorch checkpoint, which records no run config"), e.getMessage());
    }
}
