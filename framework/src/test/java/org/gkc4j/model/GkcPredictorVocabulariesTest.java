package org.gkc4j.model;

import org.gkc4j.config.Configs;
import org.gkc4j.nn.GraphContext;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** One pass of the image network against three vocabularies gives each vocabulary's own run's semantic scores. */
class GkcPredictorVocabulariesTest {
    @Test
    void oneGraphForThreeVocabulariesEqualsOneRunPerVocabulary() {
        GkcModelConfig model = Configs.load(GkcModelConfig.class, GkcModelConfig.defaults(), Path.of("../configs/model/tiny.yaml"), List.of());
        GraphContext init = GraphContext.builder().seed(6).build();
        new GkcNetwork(init, model).forward(init.sd().placeHolder("images", DataType.FLOAT, 1, 3, 64, 64));
        Map<String, INDArray> weights = init.stateDict();
        GkcPredictor p = new GkcPredictor(model, weights);
        Nd4j.getRandom().setSeed(12);
        INDArray image = Nd4j.randn(DataType.FLOAT, 1, 3, 40, 48);   // padded to 64 x 64 and cropped back
        List<INDArray> vocabularies = List.of(Nd4j.randn(DataType.FLOAT, 7, model.head().embedDim()),
                Nd4j.randn(DataType.FLOAT, 4, model.head().embedDim()), Nd4j.randn(DataType.FLOAT, 2, model.head().embedDim()));
        List<INDArray> once = p.semanticScores(image, vocabularies);
        assertEquals(3, once.size());
        for (int v : new int[]{0, 2}) {   // the largest and the smallest; a third per-vocabulary graph would add 8 s
            INDArray own = p.run(image, vocabularies.get(v)).semSeg();
            assertArrayEquals(own.shape(), once.get(v).shape());
            assertEquals(0.0, own.sub(once.get(v)).amaxNumber().doubleValue(), 1e-6, "vocabulary " + v);
        }
    }
}
