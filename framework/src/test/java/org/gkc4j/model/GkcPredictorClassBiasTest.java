package org.gkc4j.model;

import org.gkc4j.config.Configs;
import org.gkc4j.criterion.ClassLoss;
import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.train.TrainConfig;
import org.gkc4j.train.Trainer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The class-logit bias of calibrated stacking: zero changes nothing, a large one decides every pixel. */
class GkcPredictorClassBiasTest {
    @Test
    void biasShiftsTheSemanticScoresOnly() {
        GkcModelConfig model = Configs.load(GkcModelConfig.class, GkcModelConfig.defaults(), Path.of("../configs/model/tiny.yaml"), List.of());
        TrainConfig tc = new TrainConfig(1, 1, 1, 1e-3, 0.0, 1.0, 1.0, TrainConfig.Schedule.CONSTANT, 0, 1.0, List.of(), 0.1, 0.9, 1000, 10, 1);
        Nd4j.getRandom().setSeed(11);
        INDArray text = Nd4j.randn(DataType.FLOAT, 5, model.head().embedDim());
        Trainer t = new Trainer(model, CriterionConfig.defaults(), tc, c -> List.of(new ClassLoss(c)), Map.of(), text, 64, 64, DataType.FLOAT);
        GkcPredictor p = new GkcPredictor(model, t.stateDict());
        INDArray images = Nd4j.randn(DataType.FLOAT, 2, 3, 48, 40);

        GkcPredictor.Result plain = p.run(images, text);
        GkcPredictor.Result zero = p.run(images, text, Nd4j.zeros(DataType.FLOAT, 5));
        assertEquals(0.0, plain.semSeg().sub(zero.semSeg()).amaxNumber().doubleValue(), 1e-6);

        INDArray bias = Nd4j.createFromArray(-40f, -40f, 0f, -40f, -40f);
        GkcPredictor.Result biased = p.run(images, text, bias);
        assertEquals(0.0, plain.classLogits().sub(biased.classLogits()).amaxNumber().doubleValue(), 1e-6, "returned logits stay unbiased");
        INDArray arg = Nd4j.argMax(biased.semSeg(), 1);
        assertEquals(2 * 48 * 40, arg.eq(2).castTo(DataType.INT).sumNumber().intValue(), "class 2 wins every pixel");
        INDArray plainArg = Nd4j.argMax(plain.semSeg(), 1);
        assertTrue(plainArg.neq(2).castTo(DataType.INT).sumNumber().intValue() > 0, "without the bias some pixel is another class");
    }
}
