package org.gkc4j.model;

import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.Resize;
import org.gkc4j.nn.GradientCheck;
import org.gkc4j.testing.Graphs;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaskFeatureRefinerTest {
    @Test
    void gradientsOfEveryWeightPassTheNumericalCheck() {
        for (int stride : new int[]{1, 2}) {
            GraphContext ctx = Graphs.doubleContext(21 + stride);
            SDVariable images = ctx.sd().placeHolder("images", DataType.DOUBLE, 2, 3, 8, 8);
            SDVariable feats = ctx.sd().placeHolder("feats", DataType.DOUBLE, 2, 5, 2, 2);
            SDVariable y = new MaskFeatureRefiner(ctx.scope("mask_refiner"), stride, 4, 5, 2).forward(images, feats);
            assertArrayEquals(new long[]{2, 5, 8 / stride, 8 / stride}, ctx.shape(y));
            // the zero-initialised output conv would leave every weight before it without gradient
            ctx.sd().getArrForVarName("mask_refiner.out.weight").assign(Graphs.uniform(5, -0.5, 0.5, 5, 4, 1, 1).reshape(1, 1, 4, 5));
            Graphs.weightedLoss(ctx, y, 7);
            GradientCheck.Result r = GradientCheck.check(ctx.sd(), "loss",
                    Map.of("images", Graphs.randn(8, 2, 3, 8, 8), "feats", Graphs.randn(9, 2, 5, 2, 2)), 20);
            assertTrue(r.passed() && r.nonTrivial() > 60, "stride " + stride + ": " + r);
        }
    }

    /** Untrained, the refiner is the stride-4 features upsampled; trained, it sees an edge move by one pixel. */
    @Test
    void startsAsUpsamplingAndReadsFullResolutionPixels() {
        GraphContext ctx = Graphs.doubleContext(31);
        SDVariable images = ctx.sd().placeHolder("images", DataType.DOUBLE, 1, 3, 16, 16);
        SDVariable feats = ctx.sd().placeHolder("feats", DataType.DOUBLE, 1, 6, 4, 4);
        SDVariable y = new MaskFeatureRefiner(ctx.scope("mask_refiner"), 1, 8, 6, 4).forward(images, feats);
        SDVariable up = Resize.bilinear(ctx.scope("reference"), feats, 16, 16);
        INDArray f = Graphs.randn(3, 1, 6, 4, 4);
        INDArray left = edge(7), right = edge(8);
        Map<String, INDArray> ph = Map.of("images", left, "feats", f);
        assertTrue(Graphs.maxAbsDiff(Graphs.eval(ctx, y, ph), Graphs.eval(ctx, up, ph)) < 1e-12);
        ctx.sd().getArrForVarName("mask_refiner.out.weight").assign(Graphs.uniform(5, -0.5, 0.5, 1, 1, 8, 6));
        double moved = Graphs.maxAbsDiff(Graphs.eval(ctx, y, ph).dup(), Graphs.eval(ctx, y, Map.of("images", right, "feats", f)));
        assertTrue(moved > 1e-3, "a one-pixel edge shift changed the refined features by only " + moved);
    }

    @Test
    void onlyFinerStridesAreRefinements() {
        GraphContext ctx = Graphs.doubleContext(1);
        assertThrows(IllegalArgumentException.class, () -> new MaskFeatureRefiner(ctx.scope("r"), 4, 8, 6, 4));
        assertThrows(IllegalArgumentException.class, () -> new GkcModelConfig.PixelDecoder(GkcModelConfig.PixelDecoderType.FPN,
                8, 8, 1, 2, 4, 16, 4, 3, 8));
    }

    /** An image dark left of column {@code x}, bright from it on. */
    private static INDArray edge(int x) {
        INDArray img = org.nd4j.linalg.factory.Nd4j.zeros(DataType.DOUBLE, 1, 3, 16, 16).subi(1);
        img.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(x, 16)).assign(1);
        return img;
    }
}
