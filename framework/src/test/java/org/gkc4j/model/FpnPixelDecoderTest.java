package org.gkc4j.model;

import org.gkc4j.nn.exec.GraphExecution;
import org.gkc4j.nn.GradientCheck;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.testing.Graphs;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MaskFormer's BasePixelDecoder (the FPN alternative): its checkpoint keys, a forward against a plain-Java loop
 * implementation of the same maths on random weights, and a DOUBLE gradient check.
 */
class FpnPixelDecoderTest {
    private static final long[] CHANNELS = {4, 6, 8, 10};
    private static final int[][] SIZES = {{8, 6}, {4, 3}, {2, 2}, {1, 1}};   // res2..res5; 2 -> 3 makes nearest uneven
    private static final int DIM = 8, MASK_DIM = 5, GROUPS = 2;

    private static GkcModelConfig.PixelDecoder config() {
        return new GkcModelConfig.PixelDecoder(GkcModelConfig.PixelDecoderType.FPN, DIM, MASK_DIM, 0, 1, 1, 1, GROUPS, 4, 4);
    }

    private record Built(GraphContext ctx, List<String> inputs, PixelDecoder.Output out) {
    }

    private static Built build(int batch, long seed) {
        GraphContext ctx = Graphs.doubleContext(seed);
        List<SDVariable> features = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int l = 0; l < 4; l++) {
            String n = "res" + (l + 2);
            features.add(ctx.sd().placeHolder(n, DataType.DOUBLE, batch, CHANNELS[l], SIZES[l][0], SIZES[l][1]));
            names.add(n);
        }
        PixelDecoder.Output out = new FpnPixelDecoder(ctx.scope("pixel_decoder"), config(), CHANNELS).forward(features);
        return new Built(ctx, names, out);
    }

    /** Random values for every weight (norm scales around 1), so no initialisation symmetry hides a mistake. */
    private static Map<String, INDArray> randomWeights(GraphContext ctx, long seed) {
        Map<String, INDArray> w = new LinkedHashMap<>();
        long s = seed;
        for (Map.Entry<String, INDArray> e : ctx.stateDict().entrySet()) {
            INDArray v = Graphs.uniform(s++, -0.6, 0.6, e.getValue().shape());
            w.put(e.getKey(), e.getKey().endsWith("norm.weight") ? v.addi(1.0) : v);
        }
        return w;
    }

    @Test
    void checkpointKeysAreMaskFormersBasePixelDecoder() {
        Built b = build(1, 1);
        Set<String> want = new TreeSet<>();
        for (int i = 1; i <= 4; i++) {
            if (i < 4) {
                want.addAll(List.of("pixel_decoder.adapter_" + i + ".weight", "pixel_decoder.adapter_" + i + ".norm.weight",
                        "pixel_decoder.adapter_" + i + ".norm.bias"));
            }
            want.addAll(List.of("pixel_decoder.layer_" + i + ".weight", "pixel_decoder.layer_" + i + ".norm.weight",
                    "pixel_decoder.layer_" + i + ".norm.bias"));
        }
        want.addAll(List.of("pixel_decoder.mask_features.weight", "pixel_decoder.mask_features.bias"));
        assertEquals(want, new TreeSet<>(b.ctx().stateDict().keySet()));
        assertArrayEquals(new long[]{DIM, CHANNELS[2], 1, 1}, b.ctx().stateDict().get("pixel_decoder.adapter_3.weight").shape());
        assertArrayEquals(new long[]{DIM, CHANNELS[3], 3, 3}, b.ctx().stateDict().get("pixel_decoder.layer_4.weight").shape());
        assertArrayEquals(new long[]{MASK_DIM, DIM, 3, 3}, b.ctx().stateDict().get("pixel_decoder.mask_features.weight").shape());
    }

    @Test
    void forwardEqualsALoopImplementation() {
        Built b = build(1, 2);
        Map<String, INDArray> w = randomWeights(b.ctx(), 100);
        b.ctx().load(w);
        Map<String, INDArray> ph = new HashMap<>();
        double[][][][] x = new double[4][][][];
        for (int l = 0; l < 4; l++) {
            INDArray f = Graphs.randn(20 + l, 1, CHANNELS[l], SIZES[l][0], SIZES[l][1]);
            ph.put(b.inputs().get(l), f);
            x[l] = toArray(f);
        }
        List<String> outs = new ArrayList<>();
        outs.add(b.out().maskFeatures().name());
        for (SDVariable v : b.out().multiScale()) {
            outs.add(v.name());
        }
        Map<String, INDArray> got = GraphExecution.output(b.ctx().sd(), ph, outs);

        // the reference: y = relu(gn(conv3(res5))); for res4..res2: y = relu(gn(conv3(gn(conv1(res_l)) + nearest(y))))
        double[][][] y = relu(gn(conv(x[3], w.get("pixel_decoder.layer_4.weight"), null), w, "pixel_decoder.layer_4"));
        List<double[][][]> multiScale = new ArrayList<>();
        multiScale.add(y);
        for (int i = 2; i >= 0; i--) {
            String a = "pixel_decoder.adapter_" + (i + 1), o = "pixel_decoder.layer_" + (i + 1);
            double[][][] lat = gn(conv(x[i], w.get(a + ".weight"), null), w, a);
            double[][][] up = nearest(y, SIZES[i][0], SIZES[i][1]);
            y = relu(gn(conv(add(lat, up), w.get(o + ".weight"), null), w, o));
            if (multiScale.size() < 3) {
                multiScale.add(y);
            }
        }
        double[][][] mask = conv(y, w.get("pixel_decoder.mask_features.weight"), w.get("pixel_decoder.mask_features.bias"));

        assertArrayEquals(new long[]{1, MASK_DIM, 8, 6}, got.get(outs.get(0)).shape());
        assertClose(mask, got.get(outs.get(0)), "mask_features");
        assertEquals(3, b.out().multiScale().size());
        for (int k = 0; k < 3; k++) {
            // strides 32, 16, 8: res5's, res4's and res3's sizes
            assertArrayEquals(new long[]{1, DIM, SIZES[3 - k][0], SIZES[3 - k][1]}, got.get(outs.get(k + 1)).shape());
            assertClose(multiScale.get(k), got.get(outs.get(k + 1)), "multi-scale " + k);
        }
    }

    @Test
    void gradientsPassTheNumericalCheckInDouble() {
        Built b = build(2, 3);
        b.ctx().load(randomWeights(b.ctx(), 200));
        SDVariable mask = b.out().maskFeatures();
        SDVariable coarse = b.out().multiScale().get(1);
        SDVariable loss = mask.mul(b.ctx().sd().constant(Graphs.uniform(7, -1, 1, b.ctx().shape(mask)))).sum()
                .add(coarse.mul(b.ctx().sd().constant(Graphs.uniform(8, -1, 1, b.ctx().shape(coarse)))).sum());
        loss.rename("loss");
        Map<String, INDArray> ph = new HashMap<>();
        for (int l = 0; l < 4; l++) {
            ph.put(b.inputs().get(l), Graphs.randn(30 + l, 2, CHANNELS[l], SIZES[l][0], SIZES[l][1]));
        }
        GradientCheck.Result r = GradientCheck.check(b.ctx().sd(), "loss", ph, 2);
        System.out.println("FPN gradient check: " + r);
        assertTrue(r.passed() && r.nonTrivial() > 30, r.toString());
    }

    private static void assertClose(double[][][] want, INDArray got, String what) {
        double worst = 0, scale = 0;
        for (int c = 0; c < want.length; c++) {
            for (int i = 0; i < want[c].length; i++) {
                for (int j = 0; j < want[c][i].length; j++) {
                    worst = Math.max(worst, Math.abs(want[c][i][j] - got.getDouble(0, c, i, j)));
                    scale = Math.max(scale, Math.abs(want[c][i][j]));
                }
            }
        }
        assertTrue(scale > 0.1 && worst <= 1e-10 * scale, what + ": max difference " + worst + " at scale " + scale);
    }

    private static double[][][] toArray(INDArray a) {
        int c = (int) a.size(1), h = (int) a.size(2), w = (int) a.size(3);
        double[][][] out = new double[c][h][w];
        for (int k = 0; k < c; k++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    out[k][i][j] = a.getDouble(0, k, i, j);
                }
            }
        }
        return out;
    }

    /** Cross-correlation with zero padding k/2, stride 1, weights [O,I,k,k]. */
    private static double[][][] conv(double[][][] x, INDArray weight, INDArray bias) {
        int o = (int) weight.size(0), in = x.length, k = (int) weight.size(2), h = x[0].length, w = x[0][0].length, p = k / 2;
        double[][][] out = new double[o][h][w];
        for (int oc = 0; oc < o; oc++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double s = bias == null ? 0 : bias.getDouble(oc);
                    for (int ic = 0; ic < in; ic++) {
                        for (int u = 0; u < k; u++) {
                            for (int v = 0; v < k; v++) {
                                int yi = i + u - p, xj = j + v - p;
                                if (yi >= 0 && yi < h && xj >= 0 && xj < w) {
                                    s += weight.getDouble(oc, ic, u, v) * x[ic][yi][xj];
                                }
                            }
                        }
                    }
                    out[oc][i][j] = s;
                }
            }
        }
        return out;
    }

    /** GroupNorm(GROUPS, eps 1e-5): biased variance over each group's channels and pixels, then scale and shift. */
    private static double[][][] gn(double[][][] x, Map<String, INDArray> w, String prefix) {
        int c = x.length, h = x[0].length, wd = x[0][0].length, per = c / GROUPS;
        double[][][] out = new double[c][h][wd];
        for (int g = 0; g < GROUPS; g++) {
            double sum = 0, sq = 0;
            int n = per * h * wd;
            for (int k = g * per; k < (g + 1) * per; k++) for (double[] row : x[k]) for (double v : row) sum += v;
            double mean = sum / n;
            for (int k = g * per; k < (g + 1) * per; k++) for (double[] row : x[k]) for (double v : row) sq += (v - mean) * (v - mean);
            double inv = 1 / Math.sqrt(sq / n + 1e-5);
            for (int k = g * per; k < (g + 1) * per; k++) {
                double gamma = w.get(prefix + ".norm.weight").getDouble(k), beta = w.get(prefix + ".norm.bias").getDouble(k);
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < wd; j++) {
                        out[k][i][j] = (x[k][i][j] - mean) * inv * gamma + beta;
                    }
                }
            }
        }
        return out;
    }

    private static double[][][] relu(double[][][] x) {
        for (double[][] m : x) for (double[] row : m) for (int j = 0; j < row.length; j++) row[j] = Math.max(0, row[j]);
        return x;
    }

    /** F.interpolate(mode='nearest'): output (i, j) reads input (floor(i h / H), floor(j w / W)). */
    private static double[][][] nearest(double[][][] x, int outH, int outW) {
        int c = x.length, h = x[0].length, w = x[0][0].length;
        double[][][] out = new double[c][outH][outW];
        for (int k = 0; k < c; k++) {
            for (int i = 0; i < outH; i++) {
                for (int j = 0; j < outW; j++) {
                    out[k][i][j] = x[k][(int) Math.floor((double) i * h / outH)][(int) Math.floor((double) j * w / outW)];
                }
            }
        }
        return out;
    }

    private static double[][][] add(double[][][] a, double[][][] b) {
        double[][][] out = new double[a.length][a[0].length][a[0][0].length];
        for (int k = 0; k < a.length; k++) for (int i = 0; i < a[0].length; i++) for (int j = 0; j < a[0][0].length; j++) out[k][i][j] = a[k][i][j] + b[k][i][j];
        return out;
    }
}
