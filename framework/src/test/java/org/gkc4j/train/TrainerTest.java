package org.gkc4j.train;

import org.gkc4j.config.Configs;
import org.gkc4j.criterion.ClassLoss;
import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.criterion.LossTerm;
import org.gkc4j.criterion.MaskLosses;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcPredictor;
import org.gkc4j.testing.ToyScenes;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    static GkcModelConfig tiny() {
        return Configs.load(GkcModelConfig.class, GkcModelConfig.defaults(), Path.of("../configs/model/tiny.yaml"), List.of());
    }

    static List<LossTerm> baseTerms(CriterionConfig c) {
        return List.of(new MaskLosses.Bce(c), new MaskLosses.Dice(c), new ClassLoss(c));
    }

    static INDArray randomText(int k, int e) {
        Nd4j.getRandom().setSeed(3);
        return Nd4j.randn(DataType.FLOAT, k, e);
    }

    /** mIoU (percent) of argmax predictions against the scenes' label maps, over classes present. */
    static double miou(INDArray sem, int[] scenes, int h, int w, int k) {
        long[][] conf = new long[k][k];
        for (int b = 0; b < scenes.length; b++) {
            int[][] l = ToyScenes.labels(scenes[b], h, w);
            INDArray pred = Nd4j.argMax(sem.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b)), 0);
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) conf[l[y][x]][pred.getInt(y, x)]++;
        }
        double sum = 0;
        int n = 0;
        for (int c = 0; c < k; c++) {
            long tp = conf[c][c], fp = 0, fn = 0;
            for (int o = 0; o < k; o++) if (o != c) { fp += conf[o][c]; fn += conf[c][o]; }
            if (tp + fp + fn > 0) { sum += tp / (double) (tp + fp + fn); n++; }
        }
        return 100 * sum / n;
    }

    @Test
    void tinyModelOverfitsTwoScenes() {
        int h = 64, w = 64;
        GkcModelConfig model = tiny();
        CriterionConfig crit = new CriterionConfig(5, 5, 2, 0.1, 0.0, 256, 3, 0.75, 2, 5, 5, true, 8);
        TrainConfig tc = new TrainConfig(41, 2, 1, 1e-3, 0.0, 1.0, 1.0, TrainConfig.Schedule.CONSTANT, 0, 1.0, List.of(), 0.1, 0.9, 1000, 10, 1);
        INDArray text = randomText(4, model.head().embedDim());
        Trainer t = new Trainer(model, crit, tc, TrainerTest::baseTerms, Map.of(), text, h, w, DataType.FLOAT);
        int[] scenes = {0, 1};
        TrainingBatch batch = ToyScenes.batch(scenes, h, w, DataType.FLOAT);
        double first = 0, last = 0;
        for (int i = 0; i < tc.iterations(); i++) {
            Trainer.StepResult r = t.train(List.of(batch));
            if (i == 0) first = r.loss();
            last = r.loss();
            if (i % 20 == 0) System.out.printf("step %d loss %.4f %s %s%n", i, r.loss(), r.terms(), r.phaseSeconds());
        }
        GkcPredictor p = new GkcPredictor(model, t.stateDict());
        double miou = miou(p.run(batch.images(), text).semSeg(), scenes, h, w, 4);
        System.out.printf("loss %.3f -> %.3f, mIoU %.1f%n", first, last, miou);
        assertTrue(last < first * 0.5, "loss should fall: " + first + " -> " + last);
        assertTrue(miou >= 90, "mIoU " + miou);
    }

    @Test
    void maskLossesFeedOneRowPerMatchedMaskAndCutEachImageToTheMaximum() {
        int h = 32, w = 32;
        GkcModelConfig model = tiny();
        // scene 0 has 4 segments, scene 1 has 3; at most 3 per image, so scene 0 (first in the batch) is cut
        CriterionConfig crit = new CriterionConfig(5, 5, 2, 0.1, 0.0, 64, 3, 0.75, 2, 5, 5, true, 3);
        TrainConfig tc = new TrainConfig(1, 2, 1, 1e-3, 0.0, 1.0, 1.0, TrainConfig.Schedule.CONSTANT, 0, 1.0, List.of(), 0.1, 0.9, 1000, 10, 1);
        INDArray text = randomText(4, model.head().embedDim());
        Trainer t = new Trainer(model, crit, tc, TrainerTest::baseTerms, Map.of(), text, h, w, DataType.FLOAT);
        TrainingBatch batch = ToyScenes.batch(new int[]{0, 1}, h, w, DataType.FLOAT);
        var criterion = CriterionGradientTest.criterionOf(t);
        Map<String, INDArray> ph = new java.util.HashMap<>(Map.of("images", batch.images(), org.gkc4j.criterion.Criterion.PLAIN_TEXT, text));
        Map<String, INDArray> forward = t.sameDiff().output(ph, criterion.matchingOutputs().toArray(new String[0]));
        Map<String, INDArray> fed = criterion.feed(batch, forward, new java.util.SplittableRandom(1));
        for (int s : criterion.supervisedSets()) {
            INDArray rowWeights = fed.get("loss.s" + s + ".mask_w");
            assertEquals(6, rowWeights.length(), "rows of set " + s);
            assertEquals(6, fed.get("loss.s" + s + ".pt_target").size(0));
            assertEquals(6L * 64, fed.get("loss.s" + s + ".pt_row0").length());
            for (int r = 0; r < 6; r++) {
                assertEquals(1.0 / 6, rowWeights.getDouble(r), 1e-7, "every row is a real mask, weighted 1 / masks");
            }
        }
        Trainer.StepResult r = t.train(List.of(batch));
        assertTrue(Double.isFinite(r.loss()) && r.terms().get("mask") > 0 && r.terms().get("dice") > 0, r.terms().toString());
    }
}
