package org.gkc4j.model;

import org.gkc4j.config.Configs;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.Resize;
import org.gkc4j.nn.Scope;
import org.gkc4j.nn.exec.GraphExecution;
import org.gkc4j.nn.fix.OpFixes;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One network pass classified against several vocabularies outside the graph against one graph per vocabulary with
 * the head and the upsampling inside (the tiny network, random weights): same class probabilities and full-resolution
 * masks to float rounding, hence the same labels but for pixels whose two best classes tie to rounding.
 */
class VideoPredictorTest {
    private static final int CLIP = 2, OVERLAP = 1, F = 5, H = 32, W = 32;

    /** Per clip: full-resolution mask logits [1, Q*T, H, W] and probabilities [Q, K] (void dropped), head and upsampling in the graph. */
    private record Reference(SameDiff sd, String masks, String logits, long queries) {
    }

    private static Reference reference(GkcModelConfig cfg, Map<String, INDArray> weights, long k) {
        OpFixes.install();
        GraphContext ctx = GraphContext.builder().dtype(DataType.FLOAT).weights(weights).trainable(key -> false).build();
        SameDiff sd = ctx.sd();
        SDVariable images = sd.placeHolder("images", DataType.FLOAT, CLIP, 3, H, W);
        SDVariable text = sd.placeHolder("text_features", DataType.FLOAT, k, cfg.head().embedDim());
        VideoGkcNetwork net = new VideoGkcNetwork(ctx, cfg, CLIP);
        GkcNetwork.Outputs o = net.forward(images);
        int last = o.sets() - 1;
        Scope scope = ctx.root();
        long[] ms = scope.shape(o.masks().get(last));
        long q = ms[1], mh = ms[2] / CLIP, mw = ms[3];
        SDVariable perFrame = scope.withShape(o.masks().get(last).reshape(1, q * CLIP, mh, mw), 1, q * CLIP, mh, mw);
        SDVariable up = Resize.bilinear(scope, perFrame, H, W);
        SDVariable logits = net.head().logits(o.embeddings().get(last), net.head().classifier(text), k + 1);
        return new Reference(sd, up.name(), logits.name(), q);
    }

    @Test
    void oneNetworkPassForThreeVocabulariesEqualsOneRunPerVocabulary() {
        GkcModelConfig cfg = Configs.load(GkcModelConfig.class, GkcModelConfig.defaults(), Path.of("../configs/model/tiny.yaml"), List.of());
        GraphContext init = GraphContext.builder().seed(4).build();
        new VideoGkcNetwork(init, cfg, CLIP).forward(init.sd().placeHolder("images", DataType.FLOAT, CLIP, 3, H, W));
        Map<String, INDArray> weights = init.stateDict();
        Nd4j.getRandom().setSeed(9);
        INDArray frames = Nd4j.randn(DataType.FLOAT, F, 3, H, W);
        List<INDArray> vocabularies = List.of(Nd4j.randn(DataType.FLOAT, 7, cfg.head().embedDim()),
                Nd4j.randn(DataType.FLOAT, 4, cfg.head().embedDim()), Nd4j.randn(DataType.FLOAT, 2, cfg.head().embedDim()));
        ClipStitcher stitcher = new ClipStitcher(1.0, 0.5);
        VideoPredictor predictor = new VideoPredictor(cfg, weights, CLIP, OVERLAP, stitcher);
        int[][][] once = predictor.predict(frames, vocabularies);
        double worstProb = 0, worstMask = 0;
        int differ = 0, pixels = 0;
        for (int v : new int[]{0, 2}) {   // the largest and the smallest vocabulary; each reference is a graph to build
            INDArray text = vocabularies.get(v);
            long k = text.size(0);
            Reference ref = reference(cfg, weights, k);
            int q = (int) ref.queries();
            // the stitching rule on the reference's full-resolution masks (mask size = frame size: no further upsampling)
            ClipStitcher.Video video = stitcher.video(F, H, W);
            for (int start : ClipStitcher.starts(F, CLIP, OVERLAP)) {
                INDArray clipFrames = frames.get(NDArrayIndex.interval(start, start + CLIP));
                Map<String, INDArray> out = GraphExecution.output(ref.sd(), Map.of("images", clipFrames, "text_features", text), ref.masks(), ref.logits());
                INDArray masks = out.get(ref.masks()).reshape(q, CLIP, H * W);
                float[][][] m = new float[q][CLIP][];
                for (int i = 0; i < q; i++) {
                    for (int t = 0; t < CLIP; t++) {
                        m[i][t] = masks.get(NDArrayIndex.point(i), NDArrayIndex.point(t)).dup('c').data().asFloat();
                    }
                }
                double[][] probs = Transforms.softmax(out.get(ref.logits()).reshape(q, k + 1).castTo(DataType.DOUBLE), true)
                        .get(NDArrayIndex.all(), NDArrayIndex.interval(0, k)).toDoubleMatrix();
                ClipStitcher.Clip mine = predictor.clip(clipFrames, List.of(text), start);
                for (int i = 0; i < q; i++) {
                    for (int c = 0; c < k; c++) {
                        worstProb = Math.max(worstProb, Math.abs(probs[i][c] - mine.probs()[0][i][c]));
                    }
                }
                // the predictor's low-resolution masks, upsampled by the stitcher, against the graph's upsampling
                ClipStitcher.Video one = stitcher.video(start + CLIP, H, W);
                worstMask = Math.max(worstMask, upsampledDifference(one, mine, m));
                video.add(new ClipStitcher.Clip(start, m, H, W, new double[][][]{probs}, mine.embeddings()));
            }
            int[][] want = video.labelMaps()[0];
            for (int f = 0; f < F; f++) {
                for (int p = 0; p < H * W; p++) {
                    differ += want[f][p] != once[v][f][p] ? 1 : 0;
                    pixels++;
                }
            }
        }
        System.out.printf("one pass vs per vocabulary: max |dp| %.2e, max |d mask logit| %.2e, %d of %d labels differ%n", worstProb, worstMask, differ, pixels);
        assertTrue(worstProb < 1e-5, "probabilities differ by " + worstProb);
        assertTrue(worstMask < 1e-4, "upsampled masks differ by " + worstMask);
        assertTrue(differ <= pixels / 1000, differ + " of " + pixels + " labels differ");
    }

    /** Largest |graph-upsampled - stitcher-upsampled| mask logit of one clip (via a one-clip video's matching input). */
    private static double upsampledDifference(ClipStitcher.Video scratch, ClipStitcher.Clip low, float[][][] full) {
        double worst = 0;
        for (int i = 0; i < full.length; i++) {
            for (int t = 0; t < full[i].length; t++) {
                float[] up = scratch.upsampled(low, i, t);
                for (int p = 0; p < up.length; p++) {
                    worst = Math.max(worst, Math.abs(up[p] - full[i][t][p]));
                }
            }
        }
        return worst;
    }
}
