package org.gkc4j.clip;

import org.gkc4j.nn.GradientCheck;
import org.gkc4j.testing.Graphs;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipTrainerTest {
    private static final ClipConfig TINY = new ClipConfig(8, 32, List.of(1, 1, 1, 1), 8, 6, 20, 8, 2, 1);

    private static INDArray ids() {
        return Nd4j.createFromArray(new int[][]{{18, 3, 4, 19, 0, 0}, {18, 5, 19, 0, 0, 0}, {18, 6, 7, 8, 19, 0}});
    }

    @Test
    void contrastiveLossPassesAGradientCheck() {
        ClipTrainer t = new ClipTrainer(TINY, 3, 0.0, 1, true, DataType.DOUBLE);
        Map<String, INDArray> ph = Map.of("images", Graphs.randn(2, 3, 3, 32, 32), "input_ids", ids());
        // the attention pool gets 12 samples a variable, everything else 2
        java.util.function.Predicate<String> pool = k -> k.startsWith("visual.attnpool.");
        assertTrue(t.sameDiff().variables().stream().filter(v -> pool.test(v.name())).count() >= 9, "attention-pool variables found");
        GradientCheck.Result r = GradientCheck.check(t.sameDiff(), "loss", ph, k -> pool.test(k) ? 12 : 2, 1e-6, 1e-4, 1e-8,
                false, k -> true);
        System.out.println("CLIP contrastive gradient check: " + r);
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void overfitsOneBatchAndExportsTheOpenAiLayout() {
        ClipTrainer t = new ClipTrainer(TINY, 3, 0.0, 1, true);
        INDArray images = Graphs.randn(2, 3, 3, 32, 32).castTo(DataType.FLOAT);
        double first = t.train(images, ids(), 1e-3).loss(), last = first;
        for (int i = 0; i < 40; i++) {
            ClipTrainer.Step s = t.train(images, ids(), 1e-3);
            last = s.loss();
            if (i % 5 == 0) System.out.println("overfit step " + i + " loss " + last + " scale " + s.logitScale());
        }
        assertTrue(last < 0.2 * first, first + " -> " + last);
        ClipWeights w = t.weights();
        assertEquals(TINY, w.config());
        assertEquals(TINY.expectedShapes().keySet(), w.tensors().keySet());
    }
}
