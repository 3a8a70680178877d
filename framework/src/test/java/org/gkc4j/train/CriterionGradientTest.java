package org.gkc4j.train;

import org.gkc4j.criterion.Criterion;
import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.nn.GradientCheck;
import org.gkc4j.testing.ToyScenes;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole criterion on the tiny network, in DOUBLE: analytic gradients of every parameter against central differences. */
class CriterionGradientTest {
    @Test
    void wholeCriterionPassesANumericalGradientCheck() {
        GkcModelConfig model = TrainerTest.tiny();
        CriterionConfig crit = new CriterionConfig(5, 5, 2, 0.1, 0.5, 24, 3, 0.75, 2, 5, 5, true, 4);
        TrainConfig tc = new TrainConfig(1, 1, 1, 1e-3, 0.0, 1.0, 1.0, TrainConfig.Schedule.CONSTANT, 0, 1.0, List.of(), 0.1, 0.9, 1000, 10, 1);
        // frozen BatchNorm statistics in the trunk keep the loss smooth in every parameter
        GkcModelConfig frozenBn = new GkcModelConfig(new GkcModelConfig.Backbone(model.backbone().layers(), model.backbone().width(), false),
                model.pixelDecoder(), model.decoder(), model.head());
        INDArray text = TrainerTest.randomText(4, model.head().embedDim()).castTo(DataType.DOUBLE);
        Trainer t = new Trainer(frozenBn, crit, tc, TrainerTest::baseTerms, Map.of(), text, 32, 32, DataType.DOUBLE);
        TrainingBatch batch = ToyScenes.batch(new int[]{0}, 32, 32, DataType.DOUBLE);
        SameDiff sd = t.sameDiff();
        // the original offset initialisation puts sampling points exactly on pixel centres, where bilinear sampling
        // has a kink; move them to a generic point so central differences measure a derivative
        for (String k : t.context().state().keySet()) {
            if (k.endsWith("sampling_offsets.bias") || k.endsWith("sampling_offsets.weight")) {
                INDArray a = sd.getArrForVarName(k);
                a.addi(org.gkc4j.testing.Graphs.uniform(11, -0.3, 0.3, a.shape()));
            }
        }
        Map<String, INDArray> ph = new HashMap<>();
        ph.put("images", batch.images());
        ph.put(Criterion.PLAIN_TEXT, text);
        // one fixed matching and point set, as one training step would use
        Criterion criterion = criterionOf(t);
        Map<String, INDArray> forward = sd.output(ph, criterion.matchingOutputs().toArray(new String[0]));
        ph.putAll(criterion.feed(batch, forward, new SplittableRandom(5)));
        // the deformable attention (offsets, attention weights, value and output projections) gets 12 samples a
        // variable, everything else 2
        java.util.function.Predicate<String> deformable = k -> k.startsWith("sem_seg_head.pixel_decoder.transformer.encoder.")
                && k.contains(".self_attn.");
        assertTrue(t.context().state().keySet().stream().filter(deformable).count() >= 8, "deformable attention variables found");
        GradientCheck.Result r = GradientCheck.check(sd, Criterion.LOSS, ph, k -> deformable.test(k) ? 12 : 2, 1e-6, 1e-4, 1e-8,
                false, k -> true);
        System.out.println("criterion gradient check: " + r);
        assertTrue(r.passed(), r.toString());
    }

    static Criterion criterionOf(Trainer t) {
        try {
            java.lang.reflect.Field f = Trainer.class.getDeclaredField("criterion");
            f.setAccessible(true);
            return (Criterion) f.get(t);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
