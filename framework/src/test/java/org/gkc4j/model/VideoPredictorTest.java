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

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The video network's one pass with one in-graph head per vocabulary (tiny network, random weights) against an
 * independent computation: a graph of the same network without any head that upsamples the masks inside it, and the
 * open-vocabulary head written out here in double on that graph's query embeddings (softmax over exp(logit_scale) x
 * the cosines against the text embeddings and the void embedding, void dropped). Same class probabilities and
 * full-resolution masks to float rounding, hence the same labels but for pixels whose two best classes tie to rounding.
 */
class VideoPredictorTest {
    private static final int CLIP = 2, OVERLAP = 1, F = 5, H = 32, W = 32;

    /** Per clip: full-resolution mask logits [1, Q*T, H, W] (upsampled in the graph) and the query embeddings [1, Q, E]; no head. */
    private record Reference(SameDiff sd, String masks, String embeddings, long queries) {
    }

    private static Reference reference(GkcModelConfig cfg, Map<String, INDArray> weights) {
        OpFixes.install();
        GraphContext ctx = GraphContext.builder().dtype(DataType.FLOAT).weights(weights).trainable(key -> false).build();
        SameDiff sd = ctx.sd();
        SDVariable images = sd.placeHolder("images", DataType.FLOAT, CLIP, 3, H, W);
        VideoGkcNetwork net = new VideoGkcNetwork(ctx, cfg, CLIP);
        GkcNetwork.Outputs o = net.forward(images);
        int last = o.sets() - 1;
        Scope scope = ctx.root();
        long[] ms = scope.shape(o.masks().get(last));
        long q = ms[1], mh = ms[2] / CLIP, mw = ms[3];
        SDVariable perFrame = scope.withShape(o.masks().get(last).reshape(1, q * CLIP, mh, mw), 1, q * CLIP, mh, mw);
        SDVariable up = Resize.bilinear(scope, perFrame, H, W);
        return new Reference(sd, up.name(), o.embeddings().get(last).name(), q);
    }

    /** The head by hand, in double: probabilities [Q][K] (void dropped) of embeddings [Q][E] against text [K][E] and the void embedding. */
    static double[][] head(double[][] embeddings, double[][] text, double[] voidEmbedding, double logitScale) {
        int k = text.length;
        double[][] classifier = new double[k + 1][];
        for (int i = 0; i < k; i++) {
            classifier[i] = unit(text[i]);
        }
        classifier[k] = unit(voidEmbedding);
        double scale = Math.exp(logitScale);
        double[][] out = new double[embeddings.length][k];
        for (int j = 0; j < embeddings.length; j++) {
            double[] e = unit(embeddings[j]);
            double[] z = new double[k + 1];
            double sum = 0;
            for (int i = 0; i <= k; i++) {
                double dot = 0;
                for (int d = 0; d < e.length; d++) {
                    dot += e[d] * classifier[i][d];
                }
                z[i] = Math.exp(dot * scale);   // |cosine| <= 1 times 30 here: no overflow in double
                sum += z[i];
            }
            for (int i = 0; i < k; i++) {
                out[j][i] = z[i] / sum;
            }
        }
        return out;
    }

    private static double[] unit(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] / Math.sqrt(s);
        }
        return out;
    }

    @Test
    void oneNetworkPassWithAHeadPerVocabularyEqualsTheHeadByHand() {
        GkcModelConfig cfg = Configs.load(GkcModelConfig.class, GkcModelConfig.defaults(), Path.of("../configs/model/tiny.yaml"), List.of());
        GraphContext init = GraphContext.builder().seed(4).build();
        new VideoGkcNetwork(init, cfg, CLIP).forward(init.sd().placeHolder("images", DataType.FLOAT, CLIP, 3, H, W));
        Map<String, INDArray> weights = init.stateDict();
        // a logit scale of its own (not the config's initial value), so the head must read the file's and exponentiate it
        double logitScale = Math.log(30);
        weights.get("logit_scale").assign(logitScale);
        double[] voidEmbedding = weights.get("non_object_embedding").castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
        Nd4j.getRandom().setSeed(9);
        INDArray frames = Nd4j.randn(DataType.FLOAT, F, 3, H, W);
        List<INDArray> vocabularies = List.of(Nd4j.randn(DataType.FLOAT, 7, cfg.head().embedDim()),
                Nd4j.randn(DataType.FLOAT, 4, cfg.head().embedDim()), Nd4j.randn(DataType.FLOAT, 2, cfg.head().embedDim()));
        ClipStitcher stitcher = new ClipStitcher(1.0, 0.5, TrackClassVote.UNIFORM);
        VideoPredictor predictor = new VideoPredictor(cfg, weights, CLIP, OVERLAP, stitcher);
        int[][][] once = predictor.predict(frames, vocabularies);
        Reference ref = reference(cfg, weights);
        int q = (int) ref.queries();
        double worstProb = 0, worstMask = 0, worstEmbedding = 0;
        // the stitching rule on the reference's full-resolution masks (mask size = frame size: no further upsampling)
        ClipStitcher.Video video = stitcher.video(F, H, W);
        for (int start : ClipStitcher.starts(F, CLIP, OVERLAP)) {
            INDArray clipFrames = frames.get(NDArrayIndex.interval(start, start + CLIP));
            Map<String, INDArray> out = GraphExecution.output(ref.sd(), Map.of("images", clipFrames), ref.masks(), ref.embeddings());
            INDArray masks = out.get(ref.masks()).reshape(q, CLIP, H * W);
            float[][][] m = new float[q][CLIP][];
            for (int i = 0; i < q; i++) {
                for (int t = 0; t < CLIP; t++) {
                    m[i][t] = masks.get(NDArrayIndex.point(i), NDArrayIndex.point(t)).dup('c').data().asFloat();
                }
            }
            double[][] emb = out.get(ref.embeddings()).reshape(q, -1).castTo(DataType.DOUBLE).toDoubleMatrix();
            double[][][] probs = new double[vocabularies.size()][][];
            ClipStitcher.Clip mine = predictor.clip(clipFrames, vocabularies, start);   // the graph predict built: same sizes
            for (int v = 0; v < probs.length; v++) {
                probs[v] = head(emb, vocabularies.get(v).castTo(DataType.DOUBLE).toDoubleMatrix(), voidEmbedding, logitScale);
                for (int i = 0; i < q; i++) {
                    for (int c = 0; c < probs[v][i].length; c++) {
                        worstProb = Math.max(worstProb, Math.abs(probs[v][i][c] - mine.probs()[v][i][c]));
                    }
                }
            }
            for (int i = 0; i < q; i++) {
                for (int d = 0; d < emb[i].length; d++) {
                    worstEmbedding = Math.max(worstEmbedding, Math.abs(emb[i][d] - mine.embeddings()[i][d]));
                }
            }
            // the predictor's low-resolution masks, upsampled by the stitcher, against the graph's upsampling
            ClipStitcher.Video one = stitcher.video(start + CLIP, H, W);
            worstMask = Math.max(worstMask, upsampledDifference(one, mine, m));
            video.add(new ClipStitcher.Clip(start, m, H, W, probs, emb));
        }
        int[][][] want = video.labelMaps();
        int differ = 0, pixels = 0;
        for (int v = 0; v < want.length; v++) {
            for (int f = 0; f < F; f++) {
                for (int p = 0; p < H * W; p++) {
                    differ += want[v][f][p] != once[v][f][p] ? 1 : 0;
                    pixels++;
                }
            }
        }
        System.out.printf("in-graph heads vs head by hand: max |dp| %.2e, max |d embedding| %.2e, "
                + "max |d mask logit| %.2e, %d of %d labels differ%n", worstProb, worstEmbedding, worstMask, differ, pixels);
        assertTrue(worstProb < 1e-5, "probabilities differ by " + worstProb);
        assertTrue(worstEmbedding < 1e-5, "query embeddings differ by " + worstEmbedding);
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
