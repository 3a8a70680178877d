package org.gkc4j.model;

import org.gkc4j.nn.GradientCheck;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.testing.Graphs;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VideoMaskedAttentionDecoderTest {
    private static final int B = 2, T = 3, D = 8, C = 6, H = 8;
    private static final GkcModelConfig.Decoder CFG = new GkcModelConfig.Decoder(D, 3, 2, 16, 3, 2, 3);

    private static Map<String, INDArray> inputs() {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put("l0", Graphs.randn(1, B * T, D, 2, 2));
        ph.put("l1", Graphs.randn(2, B * T, D, 4, 4));
        ph.put("l2", Graphs.randn(3, B * T, D, 8, 8));
        ph.put("mf", Graphs.randn(4, B * T, C, H, H));
        return ph;
    }

    private static List<SDVariable> levels(GraphContext ctx, long frames) {
        List<SDVariable> l = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long s = 2L << i;
            l.add(ctx.sd().placeHolder("l" + i, DataType.DOUBLE, frames, D, s, s));
        }
        return l;
    }

    /**
     * The space-time decoder's every parameter (attention, FFN, heads, the moment encoder) against central
     * differences, on one clip of two frames. The mask-shape encoder reads the masks through a stop-gradient, which
     * central differences cannot honour (its own test checks it on given masks; the next test checks how its codes
     * are averaged over frames); the moment encoder binarises its masks, so that path is flat.
     */
    @Test
    void gradientsOfEveryParameterPassTheNumericalCheck() {
        GraphContext ctx = Graphs.doubleContext(21);
        int b = 1, t = 2;
        GkcModelConfig.Decoder cfg = new GkcModelConfig.Decoder(D, 3, 2, 16, 3, 0, 3);
        SDVariable mf = ctx.sd().placeHolder("mf", DataType.DOUBLE, b * t, C, H, H);
        VideoMaskedAttentionDecoder dec = new VideoMaskedAttentionDecoder(ctx.scope("sem_seg_head.predictor"), cfg, C, t);
        List<MaskedAttentionDecoder.Prediction> preds = dec.forward(levels(ctx, b * t), mf);
        assertEquals(3, preds.size());
        assertArrayEquals(new long[]{b, 3, t * H, H}, ctx.shape(preds.get(2).masks()));
        SDVariable loss = null;
        for (int i = 0; i < preds.size(); i++) {
            SDVariable a = GradientCheck.weightedSum(ctx.sd(), preds.get(i).masks(), ctx.shape(preds.get(i).masks()), 30 + i)
                    .add(GradientCheck.weightedSum(ctx.sd(), preds.get(i).classEmbedding(), ctx.shape(preds.get(i).classEmbedding()), 40 + i));
            loss = loss == null ? a : loss.add(a);
        }
        loss.rename("loss");
        Map<String, INDArray> ph = new HashMap<>();
        inputs().forEach((k, v) -> ph.put(k, v.get(NDArrayIndex.interval(0, b * t)).dup()));
        GradientCheck.Result r = GradientCheck.check(ctx.sd(), "loss", ph, 2, 1e-6, 1e-5, 1e-7, true);
        System.out.println("video decoder gradient check: " + r);
        assertTrue(r.passed() && r.nonTrivial() > 50, r.toString());
    }

    /**
     * Before any layer the prediction is the learnable queries' alone, so frame t of clip b must be exactly what the
     * image decoder with the same parameters predicts for image b*T+t (the masks), and the clip's class embedding the
     * mean over its frames of the image decoder's: a check of how frames are stacked and averaged.
     */
    @Test
    void theQueriesFirstPredictionIsTheImageDecodersFrameByFrame() {
        GraphContext video = Graphs.doubleContext(22);
        SDVariable mf = video.sd().placeHolder("mf", DataType.DOUBLE, B * T, C, H, H);
        MaskedAttentionDecoder.Prediction v = new VideoMaskedAttentionDecoder(video.scope("p"), CFG, C, T).forward(levels(video, B * T), mf).get(0);
        Map<String, INDArray> weights = video.stateDict();
        GraphContext image = GraphContext.builder().dtype(DataType.DOUBLE).weights(weights).build();
        SDVariable mfi = image.sd().placeHolder("mf", DataType.DOUBLE, B * T, C, H, H);
        List<SDVariable> li = levels(image, B * T);
        MaskedAttentionDecoder.Prediction im = new MaskedAttentionDecoder(image.scope("p"), CFG, C).forward(li, mfi).get(0);
        assertTrue(image.initialisedKeys().isEmpty(), "the image decoder found every parameter by name: " + image.initialisedKeys());
        Map<String, INDArray> ph = inputs();
        INDArray vm = Graphs.eval(video, v.masks(), ph).dup(), vc = Graphs.eval(video, v.classEmbedding(), ph).dup();
        INDArray imm = Graphs.eval(image, im.masks(), ph).dup(), imc = Graphs.eval(image, im.classEmbedding(), ph).dup();
        for (int b = 0; b < B; b++) {
            INDArray mean = imc.get(NDArrayIndex.interval(b * T, b * T + T)).mean(0);
            assertTrue(Graphs.maxAbsDiff(vc.get(NDArrayIndex.point(b)), mean) < 1e-12, "class embedding of clip " + b);
            for (int t = 0; t < T; t++) {
                INDArray frame = vm.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.interval(t * H, t * H + H), NDArrayIndex.all());
                assertTrue(Graphs.maxAbsDiff(frame, imm.get(NDArrayIndex.point(b * T + t))) < 1e-12, "masks of clip " + b + " frame " + t);
            }
        }
        // the mask encoders see each frame on its own: a clip of distinct frames averages distinct codes
        assertTrue(Graphs.maxAbsDiff(imc.get(NDArrayIndex.point(0)), imc.get(NDArrayIndex.point(1))) > 1e-6);
    }

    /** Shared queries: after the first layer a query's mask in frame 0 depends on the features of the clip's other frames. */
    @Test
    void framesOfAClipInformEachOther() {
        GraphContext ctx = Graphs.doubleContext(23);
        SDVariable mf = ctx.sd().placeHolder("mf", DataType.DOUBLE, B * T, C, H, H);
        SDVariable masks = new VideoMaskedAttentionDecoder(ctx.scope("p"), CFG, C, T).forward(levels(ctx, B * T), mf).get(1).masks();
        Map<String, INDArray> ph = inputs();
        INDArray before = Graphs.eval(ctx, masks, ph).dup();
        INDArray l0 = ph.get("l0").dup();
        l0.get(NDArrayIndex.point(2)).addi(1.0);   // clip 0's last frame only
        ph.put("l0", l0);
        INDArray after = Graphs.eval(ctx, masks, ph).dup();
        INDArray f0 = NDArrayIndexes.frame(before, 0, 0, H), f0a = NDArrayIndexes.frame(after, 0, 0, H);
        assertTrue(Graphs.maxAbsDiff(f0, f0a) > 1e-6, "frame 0 of clip 0 ignored its clip's frame 2");
        assertTrue(Graphs.maxAbsDiff(before.get(NDArrayIndex.point(1)), after.get(NDArrayIndex.point(1))) < 1e-12, "clip 1 saw clip 0");
    }

    /** Hand-computed values of the temporal encoding and its sum with the spatial one. */
    @Test
    void spaceTimeEncodingMatchesHandComputedValues() {
        double[][] z = PositionEmbeddingSine3d.temporal(2, 2);   // 4 features, 2 frames
        // z_t = (t+1)/2 * 2 pi: pi, 2 pi; dims 1, 1, 100, 100 (10000^(2*floor(i/2)/4))
        assertEquals(Math.sin(Math.PI), z[0][0], 1e-5);
        assertEquals(-1.0, z[1][0], 1e-5);                  // cos(pi)
        assertEquals(Math.sin(Math.PI / 100), z[2][0], 1e-7);
        assertEquals(Math.cos(2 * Math.PI / 100), z[3][1], 1e-7);
        INDArray all = PositionEmbeddingSine3d.encode(2, 2, 3, 2, DataType.DOUBLE);   // [1,4,2,3,2]
        INDArray spatial = PositionEmbeddingSine.encode(2, 3, 2, DataType.DOUBLE);
        for (int c = 0; c < 4; c++) {
            for (int t = 0; t < 2; t++) {
                assertEquals(spatial.getDouble(0, c, 2, 1) + z[c][t], all.getDouble(0, c, t, 2, 1), 1e-12);
            }
        }
    }

    /** Index helpers local to these tests. */
    private static final class NDArrayIndexes {
        static INDArray frame(INDArray masks, int clip, int t, int h) {
            return masks.get(NDArrayIndex.point(clip), NDArrayIndex.all(), NDArrayIndex.interval(t * h, t * h + h), NDArrayIndex.all());
        }
    }
}
