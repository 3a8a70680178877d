package org.gkc4j.experiments;

import org.gkc4j.clip.ClipConfig;
import org.gkc4j.clip.ClipWeights;
import org.gkc4j.config.Configs;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcNetwork;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.synthetic.SceneGenerator;
import org.gkc4j.pipeline.synthetic.SyntheticWorld;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TwoStageClassifierTest {
    private static final int SIZE = 64;

    private static GkcModelConfig tiny() {
        return Configs.load(GkcModelConfig.class, GkcModelConfig.defaults(), Path.of("../configs/model/tiny.yaml"), List.of());
    }

    private static Map<String, INDArray> randomWeights(GkcModelConfig cfg) {
        GraphContext ctx = GraphContext.builder().dtype(DataType.FLOAT).seed(5).build();
        new GkcNetwork(ctx, cfg).forward(ctx.sd().placeHolder("images", DataType.FLOAT, 1, 3, SIZE, SIZE));
        return ctx.stateDict();
    }

    private static ClipWeights randomClip(int embedDim) {
        return ClipWeights.random(new ClipConfig(embedDim, 32, List.of(1, 1, 1, 1), 8, 77, 600, 32, 2, 1), 2);
    }

    private static List<RgbImage> scenes(int n) {
        SceneGenerator gen = new SceneGenerator(new SyntheticWorld(), SIZE);
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> gen.scene(i, SceneGenerator.Split.ALL).image()).toList();
    }

    /** A tiny random network over 7 random class embeddings, two scenes, and a two-stage classifier that ignores CLIP. */
    private record QueriesOnly(SemanticPredictions predictions, List<RgbImage> images, TwoStageClassifier twoStage) {
        static QueriesOnly build() {
            GkcModelConfig cfg = tiny();
            Nd4j.getRandom().setSeed(3);
            INDArray text = Nd4j.randn(DataType.FLOAT, 7, cfg.head().embedDim());
            return new QueriesOnly(new SemanticPredictions(cfg, randomWeights(cfg), text), scenes(2),
                    new TwoStageClassifier(randomClip(cfg.head().embedDim()), text, 0.0, 4));
        }
    }

    @Test
    void withoutClipItReproducesTheSingleStageLabelMaps() {
        QueriesOnly f = QueriesOnly.build();
        List<RgbImage> images = f.images();
        int[][] single = f.predictions().predict(images), two = f.predictions().predictTwoStage(images, f.twoStage());
        for (int i = 0; i < images.size(); i++) {
            // the two paths upsample and combine independently (SameDiff graph against plain Java)
            assertArrayEquals(single[i], two[i], "image " + i);
        }
    }

    @Test
    void theSeenClassPenaltyReachesTheQueriesSideOfTheTwoStagePath() {
        QueriesOnly f = QueriesOnly.build();
        List<RgbImage> images = f.images();
        int[][] unbiased = f.predictions().predict(images);
        // lower every class but one the first pixel does not show, far enough to decide every pixel
        int kept = (unbiased[0][0] + 1) % 7;
        List<Integer> lowered = java.util.stream.IntStream.range(0, 7).filter(c -> c != kept).boxed().toList();
        SemanticPredictions biased = f.predictions().withClassBias(new SeenClassCalibration(50.0).bias(7, lowered));
        int[][] single = biased.predict(images), two = biased.predictTwoStage(images, f.twoStage());
        assertEquals(kept, single[0][0], "the penalty decides the single-stage map");
        for (int i = 0; i < images.size(); i++) {
            assertArrayEquals(single[i], two[i], "image " + i);
        }
    }

    @Test
    void regionProbabilitiesAreDistributionsAndUniformForEmptyMasks() {
        // trained weights: a random CLIP's features hardly depend on the picture
        ClipWeights clip = ClipWeights.load(Shared.require("fixtures/clip-rn-tiny/clip.safetensors"));
        int k = 5;
        Nd4j.getRandom().setSeed(4);
        TwoStageClassifier clipOnly = new TwoStageClassifier(clip, Nd4j.randn(DataType.FLOAT, k, clip.config().embedDim()), 1.0, 2);
        RgbImage image = scenes(1).get(0);
        float[][] masks = new float[3][SIZE * SIZE];
        for (int p = 0; p < SIZE * SIZE; p++) {
            masks[0][p] = (p % SIZE) < SIZE / 2 ? 1f : 0f;   // left half
            masks[2][p] = 1f;                                  // everything
        }
        INDArray probs = clipOnly.regionProbabilities(image, masks);
        assertEquals(3, probs.size(0));
        for (int q = 0; q < 3; q++) {
            assertEquals(1.0, probs.getRow(q).sumNumber().doubleValue(), 1e-6, "row " + q);
        }
        for (int c = 0; c < k; c++) {
            assertEquals(1.0 / k, probs.getDouble(1, c), 1e-12, "an empty mask gives CLIP nothing to see");
        }
        assertTrue(probs.getRow(0).sub(probs.getRow(2)).amaxNumber().doubleValue() > 1e-6, "different regions, different crops");
    }
}
