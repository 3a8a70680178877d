package org.gkc4j.train;

import org.gkc4j.criterion.Criterion;
import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.data.ImageTargets;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcNetwork;
import org.gkc4j.model.VideoGkcNetwork;
import org.gkc4j.nn.GradientCheck;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.testing.ToyScenes;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The video network under the whole criterion on a two-frame clip, in DOUBLE, and its initialisation from an image network. */
class VideoCriterionGradientTest {
    /** A two-frame clip of toy scenes 0 and 2 (the same boxes), its targets stacked along the height. */
    static TrainingBatch clip(int h, int w) {
        int[][] a = ToyScenes.labels(0, h, w), b = ToyScenes.labels(2, h, w);
        int[][] stacked = new int[2 * h][];
        for (int y = 0; y < h; y++) {
            stacked[y] = a[y];
            stacked[h + y] = b[y];
        }
        INDArray images = Nd4j.stack(0, ToyScenes.image(a, DataType.DOUBLE), ToyScenes.image(b, DataType.DOUBLE));
        ImageTargets t = ToyScenes.targets(stacked, DataType.DOUBLE);
        return new TrainingBatch(images, List.of(t), 2);
    }

    @Test
    void videoNetworkUnderTheCriterionPassesANumericalGradientCheck() {
        GkcModelConfig model = TrainerTest.tiny();
        GkcModelConfig frozenBn = new GkcModelConfig(new GkcModelConfig.Backbone(model.backbone().layers(), model.backbone().width(), false),
                model.pixelDecoder(), model.decoder(), model.head());
        CriterionConfig crit = new CriterionConfig(5, 5, 2, 0.1, 0.5, 24, 3, 0.75, 2, 5, 5, true, 4);
        TrainConfig tc = new TrainConfig(1, 1, 1, 1e-3, 0.0, 1.0, 1.0, TrainConfig.Schedule.CONSTANT, 0, 1.0, List.of(), 0.1, 0.9, 1000, 10, 1);
        INDArray text = TrainerTest.randomText(4, model.head().embedDim()).castTo(DataType.DOUBLE);
        Trainer t = new Trainer(frozenBn, crit, tc, TrainerTest::baseTerms, Map.of(), text, 32, 32, DataType.DOUBLE,
                c -> new VideoGkcNetwork(c, frozenBn, 2));
        TrainingBatch batch = clip(32, 32);
        SameDiff sd = t.sameDiff();
        for (String k : t.context().state().keySet()) {   // off the pixel-centre kink of bilinear sampling (see CriterionGradientTest)
            if (k.endsWith("sampling_offsets.bias") || k.endsWith("sampling_offsets.weight")) {
                INDArray a = sd.getArrForVarName(k);
                a.addi(org.gkc4j.testing.Graphs.uniform(11, -0.3, 0.3, a.shape()));
            }
        }
        Map<String, INDArray> ph = new HashMap<>();
        ph.put("images", batch.images());
        ph.put(Criterion.PLAIN_TEXT, text);
        Criterion criterion = CriterionGradientTest.criterionOf(t);
        Map<String, INDArray> forward = sd.output(ph, criterion.matchingOutputs().toArray(new String[0]));
        assertEquals(2 * 32 / model.pixelDecoder().maskStride(), forward.get(criterion.matchingOutputs().get(0)).size(2), "masks of both frames, stacked");
        ph.putAll(criterion.feed(batch, forward, new SplittableRandom(5)));
        java.util.function.Predicate<String> decoder = k -> k.startsWith("sem_seg_head.predictor.");
        GradientCheck.Result r = GradientCheck.check(sd, Criterion.LOSS, ph, k -> decoder.test(k) ? 2 : 1, 1e-6, 1e-4, 1e-7,
                false, k -> true);
        System.out.println("video criterion gradient check: " + r);
        assertTrue(r.passed() && r.nonTrivial() > 60, r.toString());
    }

    /** Every parameter of the video network has an image-network name and shape: an image state dict fills it exactly. */
    @Test
    void anImageCheckpointInitialisesTheWholeVideoNetwork() {
        GkcModelConfig model = TrainerTest.tiny();
        GraphContext image = GraphContext.builder().seed(1).build();
        new GkcNetwork(image, model).forward(image.sd().placeHolder("images", DataType.FLOAT, 1, 3, 32, 32));
        Map<String, INDArray> weights = image.stateDict();
        GraphContext video = GraphContext.builder().weights(weights).seed(2).build();
        new VideoGkcNetwork(video, model, 3).forward(video.sd().placeHolder("images", DataType.FLOAT, 6, 3, 32, 32));
        assertTrue(video.initialisedKeys().isEmpty(), "freshly initialised: " + video.initialisedKeys());
        assertTrue(video.unusedWeights().isEmpty(), "not read: " + video.unusedWeights());
        assertEquals(weights.keySet(), video.stateDict().keySet());
    }
}
