package org.gkc4j.criterion;

import org.gkc4j.data.ImageTargets;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.model.GkcNetwork;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.testing.Graphs;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TextAlignmentLossTest {
    private static final List<String> CLASSES = List.of("cat", "dog");
    /** 2-d text embeddings, not normalised: "cat" along x, "dog" along y, "hound" (a synonym) at 45 degrees. */
    private static final Map<String, double[]> TEXT = Map.of("cat", new double[]{2, 0}, "dog", new double[]{0, 5}, "hound", new double[]{1, 1});
    private static final Function<List<String>, INDArray> EMBED = names -> Nd4j.createFromArray(names.stream().map(TEXT::get).toArray(double[][]::new));

    /**
     * One image, three queries with embeddings (3,4), (1,0), (0,-2); segment 0 (a dog) matched to query 0, segment 1
     * (a cat) to query 2, and a third segment unmatched. By hand: ||(0.6,0.8) - (0,1)||^2 = 0.36 + 0.04 = 0.4 and
     * ||(0,-1) - (1,0)||^2 = 2, mean 1.2; with the dog renamed "hound", (0.6,0.8) - (0.7071,0.7071) gives
     * 0.011472 + 0.008629 = 0.020101, mean 1.010051.
     */
    @Test
    void meanSquaredDistanceOfMatchedQueriesToTheirNames() {
        assertEquals(1.2, value(null), 1e-6);   // 1e-6: the normalisation's 1e-7 in the norm
        assertEquals((2 - 2 * (0.6 + 0.8) / Math.sqrt(2) + 2) / 2, value(List.of("cat", "dog", "hound")), 1e-6);
    }

    private static double value(List<String> vocabulary) {
        GraphContext ctx = Graphs.doubleContext(1);
        SDVariable emb = ctx.sd().placeHolder("emb", DataType.DOUBLE, 1, 3, 2);
        LossTerm.Dims dims = new LossTerm.Dims(1, 3, 4, 4, 3, 8, 2, 2);
        GkcNetwork.Outputs outputs = new GkcNetwork.Outputs(List.of(emb), List.of(emb), List.of(emb), emb);
        TextAlignmentLoss loss = new TextAlignmentLoss(1.0, CLASSES, EMBED);
        SDVariable v = loss.build(new LossTerm.SetGraph(0, 1, ctx.root(), outputs, null, dims, null));
        ImageTargets t = ImageTargets.plain(Nd4j.zeros(DataType.DOUBLE, 3, 4, 4), new int[]{1, 0, 0});
        if (vocabulary != null) {
            t = t.withVocabulary(vocabulary, new int[]{2, 0, 0});
        }
        TrainingBatch batch = new TrainingBatch(Nd4j.zeros(DataType.DOUBLE, 1, 3, 4, 4), List.of(t));
        Map<String, INDArray> ph = new HashMap<>();
        loss.feed(new LossTerm.SetFeed(0, batch, new int[][]{{0, 2, -1}}, null, null, dims, 3, new SplittableRandom(1)), ph);
        ph.replaceAll((k, a) -> a.dataType().isFPType() ? a.castTo(DataType.DOUBLE) : a);
        ph.put("emb", Nd4j.createFromArray(new double[][][]{{{3, 4}, {1, 0}, {0, -2}}}));
        return Graphs.eval(ctx, v, ph).getDouble(0);
    }
}
