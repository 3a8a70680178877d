package org.gkc4j.train;

import org.gkc4j.GkcException;
import org.gkc4j.criterion.ClassLoss;
import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.criterion.LossTerm;
import org.gkc4j.testing.ToyScenes;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DivergenceTest {
    /** A term that is -infinity: log of zero. */
    static final class Broken implements LossTerm {
        public String name() {
            return "broken";
        }

        public double weight() {
            return 1.0;
        }

        public SDVariable build(SetGraph set) {
            return set.scope().sd().math().log(set.masks().mul(0.0).sum());
        }

        public void feed(SetFeed feed, Map<String, INDArray> placeholders) {
        }
    }

    @Test
    void aNonFiniteLossStopsTheRunNamingStepAndTerm() {
        var model = TrainerTest.tiny();
        var crit = new CriterionConfig(5, 5, 2, 0.1, 0.5, 32, 3, 0.75, 2, 5, 5, false, 4);
        var tc = new TrainConfig(2, 1, 1, 1e-3, 0.0, 1.0, 1.0, TrainConfig.Schedule.CONSTANT, 0, 1.0, List.of(), 0.1, 0.9, 1000, 10, 1);
        Trainer t = new Trainer(model, crit, tc, c -> List.of(new ClassLoss(c), new Broken()), Map.of(),
                TrainerTest.randomText(4, model.head().embedDim()), 32, 32, DataType.FLOAT);
        Map<String, INDArray> before = t.stateDict();
        GkcException e = assertThrows(GkcException.class, () -> t.train(List.of(ToyScenes.batch(new int[]{0}, 32, 32, DataType.FLOAT))));
        assertTrue(e.getMessage().contains("step 0") && e.getMessage().contains("'broken'"), e.getMessage());
        assertEquals(0, t.step(), "a diverged step is not counted");
        Map<String, INDArray> after = t.stateDict();
        for (String k : before.keySet()) {
            assertEquals(before.get(k), after.get(k), "no parameter moved: " + k);
        }
    }
}
