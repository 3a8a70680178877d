package org.gkc4j.train;

import org.gkc4j.GkcException;
import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.testing.ToyScenes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResumeTest {
    @TempDir
    Path dir;

    private static Trainer trainer() {
        GkcModelConfig model = TrainerTest.tiny();
        CriterionConfig crit = new CriterionConfig(5, 5, 2, 0.1, 0.5, 64, 3, 0.75, 2, 5, 5, true, 4);
        TrainConfig tc = new TrainConfig(6, 2, 2, 1e-3, 0.05, 0.1, 0.01, TrainConfig.Schedule.STEP, 2, 0.5, List.of(0.5), 0.1, 0.9, 1000, 10, 3);
        return new Trainer(model, crit, tc, TrainerTest::baseTerms, Map.of(), TrainerTest.randomText(4, model.head().embedDim()), 32, 32, DataType.FLOAT);
    }

    /** The data position is the step: batch i of a run is a pure function of i. */
    private static List<TrainingBatch> data(int step) {
        return List.of(ToyScenes.batch(new int[]{step % 2, (step + 1) % 2}, 32, 32, DataType.FLOAT),
                ToyScenes.batch(new int[]{1, 0}, 32, 32, DataType.FLOAT));
    }

    @Test
    void stopAndResumeEqualsOneRun() {
        int n = 3;
        Trainer straight = trainer();
        for (int i = 0; i < 2 * n; i++) {
            straight.train(data(straight.step()));
        }
        Trainer first = trainer();
        for (int i = 0; i < n; i++) {
            first.train(data(first.step()));
        }
        Path ckpt = dir.resolve("last.safetensors");
        Checkpoint.save(ckpt, first.checkpointState(), Map.of("config", "test"));
        Trainer resumed = trainer();
        resumed.restore(Checkpoint.load(ckpt));
        assertEquals(n, resumed.step());
        for (int i = 0; i < n; i++) {
            resumed.train(data(resumed.step()));
        }
        Map<String, INDArray> a = straight.stateDict(), b = resumed.stateDict();
        assertEquals(a.keySet(), b.keySet());
        double worst = 0;
        for (String k : a.keySet()) {
            worst = Math.max(worst, a.get(k).sub(b.get(k)).amaxNumber().doubleValue());
        }
        System.out.println("max difference after resume: " + worst);
        assertTrue(worst <= 1e-6, "resumed run differs by " + worst);
        assertEquals("test", Checkpoint.metadata(ckpt).get("config"));
    }

    @Test
    void weightsFileIsNotACheckpoint() throws Exception {
        Path w = dir.resolve("w.safetensors");
        org.gkc4j.io.Safetensors.write(w, Map.of("x", org.nd4j.linalg.factory.Nd4j.zeros(2)), Map.of());
        assertTrue(assertThrows(GkcException.class, () -> Checkpoint.load(w)).getMessage().contains("not a training checkpoint"));
        assertTrue(assertThrows(GkcException.class, () -> Checkpoint.load(dir.resolve("none"))).getMessage().contains("not found"));
        assertTrue(Files.exists(w));
    }
}
