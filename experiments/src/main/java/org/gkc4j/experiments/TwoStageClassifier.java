package org.gkc4j.experiments;

import org.gkc4j.clip.ClipImageEncoder;
import org.gkc4j.clip.ClipWeights;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.augment.Normalization;
import org.gkc4j.pipeline.teacher.TeacherCrops;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.List;

/**
 * The two-stage alternative GKC was designed to beat (SimBaseline, ZegFormer, OVSeg): each predicted mask's region is
 * cropped (grey outside, box, resized) and classified by the CLIP image encoder against the vocabulary; the CLIP
 * probabilities replace, or are geometrically ensembled with, the queries' own (p = p_query^(1-l) p_clip^l).
 */
public final class TwoStageClassifier {
    private final ClipWeights clip;
    private final INDArray text;
    private final double lambda;
    private final int batch;
    private ClipImageEncoder encoder;

    /** {@code textFeatures} [K,E] of the CLIP; {@code lambda} 1 = CLIP only, 0 = the queries only. */
    public TwoStageClassifier(ClipWeights clip, INDArray textFeatures, double lambda, int batch) {
        this.clip = clip;
        INDArray t = textFeatures.castTo(DataType.FLOAT);
        this.text = t.divColumnVector(t.norm2(1).reshape(-1, 1));
        this.lambda = lambda;
        this.batch = batch;
    }

    /**
     * Semantic label map of one image from its final prediction set: masks [Q,h,w] (logits), query logits [Q,K+1]
     * (void last). Returns class indices per pixel of {@code image}.
     */
    public int[] segment(RgbImage image, INDArray masks, INDArray queryLogits) {
        int q = (int) masks.size(0), k = (int) text.size(0), w = image.width(), h = image.height();
        // masks cover the input padded to multiples of 32: upsample to that, keep the image's part
        int pw = (w + 31) / 32 * 32, ph = (h + 31) / 32 * 32;
        float[][] up = new float[q][];
        for (int i = 0; i < q; i++) {
            float[] padded = upsampleSigmoid(masks.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)), pw, ph);
            up[i] = new float[w * h];
            for (int y = 0; y < h; y++) {
                System.arraycopy(padded, y * pw, up[i], y * w, w);
            }
        }
        INDArray pq = Transforms.softmax(queryLogits.castTo(DataType.DOUBLE), true);             // [Q, K+1]
        INDArray probs = pq.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, k)).dup();
        if (lambda > 0) {
            INDArray pc = regionProbabilities(image, up);
            for (int i = 0; i < q; i++) {
                for (int c = 0; c < k; c++) {
                    double a = probs.getDouble(i, c), b = pc.getDouble(i, c);
                    probs.putScalar(i, c, Math.pow(Math.max(a, 1e-12), 1 - lambda) * Math.pow(Math.max(b, 1e-12), lambda));
                }
            }
        }
        double[][] prob = probs.toDoubleMatrix();   // read once: per-element INDArray access in the pixel loop costs seconds per image
        int[] out = new int[w * h];
        double[] score = new double[k];
        for (int p = 0; p < w * h; p++) {
            java.util.Arrays.fill(score, 0);
            for (int i = 0; i < q; i++) {
                float m = up[i][p];
                double[] row = prob[i];
                for (int c = 0; c < k; c++) {
                    score[c] += row[c] * m;
                }
            }
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (score[c] > score[best]) best = c;
            }
            out[p] = best;
        }
        return out;
    }

    /** CLIP's class probabilities [Q, K] of each mask's region (uniform for an empty mask). */
    public INDArray regionProbabilities(RgbImage image, float[][] masks) {
        int q = masks.length, k = (int) text.size(0), size = clip.config().imageResolution();
        INDArray out = Nd4j.create(DataType.DOUBLE, q, k).assign(1.0 / k);
        List<Integer> which = new ArrayList<>();
        List<RgbImage> crops = new ArrayList<>();
        for (int i = 0; i < q; i++) {
            int[] map = new int[masks[i].length];
            boolean any = false;
            for (int p = 0; p < map.length; p++) {
                map[p] = masks[i][p] > 0.5f ? 0 : 1;
                any |= map[p] == 0;
            }
            if (!any) {
                continue;
            }
            SegmentationSample s = new SegmentationSample("mask", image, map, List.of(new Segment(0, 0, false), new Segment(1, 0, false)), List.of());
            which.add(i);
            crops.add(TeacherCrops.crop(s, 0, size));
        }
        if (encoder == null) {
            encoder = new ClipImageEncoder(clip, batch, size, size, false);
        }
        double scale = Math.exp(clip.tensors().get("logit_scale").getDouble(0));
        for (int start = 0; start < crops.size(); start += batch) {
            int n = Math.min(batch, crops.size() - start);
            float[] pixels = Normalization.CLIP.batch(crops.subList(start, start + n), batch);
            INDArray f = encoder.encode(Nd4j.create(pixels, new long[]{batch, 3, size, size}, 'c'));
            f = f.divColumnVector(f.norm2(1).reshape(-1, 1));
            INDArray logits = f.mmul(text.transpose()).muli(scale).castTo(DataType.DOUBLE);
            INDArray p = Transforms.softmax(logits, true);
            for (int j = 0; j < n; j++) {
                out.putRow(which.get(start + j), p.getRow(j));
            }
        }
        return out;
    }

    /** sigmoid of a [h,w] logit map bilinearly resized (align_corners=False) to [H,W], row-major. */
    static float[] upsampleSigmoid(INDArray mask, int outW, int outH) {
        int h = (int) mask.size(0), w = (int) mask.size(1);
        float[] m = mask.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] out = new float[outW * outH];
        for (int y = 0; y < outH; y++) {
            double sy = Math.max(0, (y + 0.5) * h / outH - 0.5);
            int y0 = Math.min((int) sy, h - 1), y1 = Math.min(y0 + 1, h - 1);
            double ly = sy - y0;
            for (int x = 0; x < outW; x++) {
                double sx = Math.max(0, (x + 0.5) * w / outW - 0.5);
                int x0 = Math.min((int) sx, w - 1), x1 = Math.min(x0 + 1, w - 1);
                double lx = sx - x0;
                double v = (1 - ly) * ((1 - lx) * m[y0 * w + x0] + lx * m[y0 * w + x1]) + ly * ((1 - lx) * m[y1 * w + x0] + lx * m[y1 * w + x1]);
                out[y * outW + x] = (float) (1 / (1 + Math.exp(-v)));
            }
        }
        return out;
    }
}
