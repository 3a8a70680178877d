package org.gkc4j.nn.exec;

import org.gkc4j.config.Configs;
import org.gkc4j.model.ClipStitcher;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcNetwork;
import org.gkc4j.model.TrackClassVote;
import org.gkc4j.model.VideoGkcNetwork;
import org.gkc4j.model.VideoPredictor;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.exec.GraphExecution.Executor;
import org.gkc4j.nn.fix.OpFixes;
import org.gkc4j.nn.fix.ReleasingBackprop;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.gkc4j.nn.exec.ExecutorComparison.assertSame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The video network (frames sharing the decoder's queries, masks stacked along the height) through the lean executor
 * against SameDiff's own execution: its forward and every parameter gradient in DOUBLE, and VideoPredictor's whole
 * videos (the graph the predictor builds, in FLOAT) under each setting of {@code -Dgkc.executor}.
 */
class VideoExecutorTest {
    private static final int CLIP = 2, H = 32, W = 32;

    private static GkcModelConfig tiny() {
        return Configs.load(GkcModelConfig.class, GkcModelConfig.defaults(), Path.of("../configs/model/tiny.yaml"), List.of());
    }

    @Test
    void videoNetworkForwardAndGradientsAsSameDiffOverConsecutiveClips() {
        OpFixes.install();
        GraphContext ctx = GraphContext.builder().dtype(DataType.DOUBLE).seed(6).training(true).build();
        SameDiff sd = ctx.sd();
        SDVariable images = sd.placeHolder("images", DataType.DOUBLE, CLIP, 3, H, W);
        GkcNetwork.Outputs out = new VideoGkcNetwork(ctx, tiny(), CLIP).forward(images);
        ExecutorComparison.Net net = ExecutorComparison.underLoss(sd, out.masks(), out.embeddings());
        List<String> outputs = net.outputs(), params = net.params();
        SameDiff gradFn = sd.getFunction("grad");
        long forwardRuns = GraphExecution.leanExecutions(sd);
        long gradRuns = GraphExecution.leanExecutions(gradFn);
        // two clips one after the other: the second runs on the buffers the first one planned
        for (long seed : new long[]{7, 8}) {
            Nd4j.getRandom().setSeed(seed);
            Map<String, INDArray> ph = Map.of("images", Nd4j.randn(DataType.DOUBLE, CLIP, 3, H, W));
            Map<String, INDArray> want = sd.output(ph, outputs.toArray(new String[0]));
            Map<String, INDArray> got = new HashMap<>();
            GraphExecution.output(Executor.LEAN, sd, ph, outputs).forEach((k, v) -> got.put(k, v.dup()));
            assertEquals(CLIP * H / tiny().pixelDecoder().maskStride(), want.get(outputs.get(0)).size(2), "both frames' masks, stacked");
            for (String o : outputs) {
                assertSame(want.get(o), got.get(o), o + " (clip " + seed + ")");
            }
            OutAndGrad wantG = ReleasingBackprop.run(Executor.SAMEDIFF, sd, ph, List.of("loss"), params);
            OutAndGrad gotG = ReleasingBackprop.run(Executor.LEAN, sd, ph, List.of("loss"), params);
            assertTrue(wantG.getGradients().size() > 100, "gradients of the tiny video network: " + wantG.getGradients().size());
            assertEquals(wantG.getGradients().keySet(), gotG.getGradients().keySet());
            assertSame(wantG.getOutputs().get("loss"), gotG.getOutputs().get("loss"), "loss (clip " + seed + ")");
            double largest = 0;
            for (String p : wantG.getGradients().keySet()) {
                assertSame(wantG.getGradients().get(p), gotG.getGradients().get(p), "gradient of " + p + " (clip " + seed + ")");
                largest = Math.max(largest, wantG.getGradients().get(p).amaxNumber().doubleValue());
            }
            assertTrue(largest > 1e-3, "the gradients are not all near zero: " + largest);
        }
        assertEquals(forwardRuns + 2, GraphExecution.leanExecutions(sd), "the forward calls ran on the lean path");
        assertEquals(gradRuns + 2, GraphExecution.leanExecutions(gradFn), "the gradient calls ran on the lean path");
    }

    @Test
    void videoPredictorLabelsTheSameVideoUnderEitherExecutor() {
        GkcModelConfig cfg = tiny();
        GraphContext init = GraphContext.builder().seed(4).build();
        new VideoGkcNetwork(init, cfg, CLIP).forward(init.sd().placeHolder("images", DataType.FLOAT, CLIP, 3, H, W));
        Map<String, INDArray> weights = init.stateDict();
        Nd4j.getRandom().setSeed(9);
        INDArray frames = Nd4j.randn(DataType.FLOAT, 4, 3, H, W);
        INDArray text = Nd4j.randn(DataType.FLOAT, 6, cfg.head().embedDim());
        Map<Executor, ClipStitcher.Clip[]> clips = new HashMap<>();
        Map<Executor, int[][]> labels = new HashMap<>();
        String before = System.getProperty(GraphExecution.PROPERTY);
        long plansBefore = LeanExecutor.planningPasses();
        try {
            for (Executor e : Executor.values()) {
                System.setProperty(GraphExecution.PROPERTY, e.name().toLowerCase());
                VideoPredictor predictor = new VideoPredictor(cfg, weights, CLIP, 1, new ClipStitcher(1.0, 0.5, TrackClassVote.UNIFORM));
                labels.put(e, predictor.predict(frames, text));
                clips.put(e, new ClipStitcher.Clip[]{predictor.clip(frames.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3)), List.of(text), 1)});
                predictor.close();
            }
        } finally {
            if (before == null) {
                System.clearProperty(GraphExecution.PROPERTY);
            } else {
                System.setProperty(GraphExecution.PROPERTY, before);
            }
        }
        assertTrue(LeanExecutor.planningPasses() > plansBefore, "the lean setting planned the predictor's graph");
        ClipStitcher.Clip a = clips.get(Executor.SAMEDIFF)[0], b = clips.get(Executor.LEAN)[0];
        // the same kernels on the same arrays: float results equal bit for bit
        for (int q = 0; q < a.queries(); q++) {
            for (int t = 0; t < CLIP; t++) {
                assertArrayEquals(a.masks()[q][t], b.masks()[q][t], "mask logits of query " + q + ", frame " + t);
            }
            assertArrayEquals(a.probs()[0][q], b.probs()[0][q], "class probabilities of query " + q);
            assertArrayEquals(a.embeddings()[q], b.embeddings()[q], "embedding of query " + q);
        }
        int[][] la = labels.get(Executor.SAMEDIFF), lb = labels.get(Executor.LEAN);
        assertEquals(4, la.length);
        for (int f = 0; f < la.length; f++) {
            assertArrayEquals(la[f], lb[f], "labels of frame " + f);
        }
    }
}
