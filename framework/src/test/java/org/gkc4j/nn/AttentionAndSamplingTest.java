package org.gkc4j.nn;

import org.gkc4j.nn.GradientCheck;
import org.gkc4j.testing.Graphs;
import org.gkc4j.testing.Reference;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttentionAndSamplingTest {

    private static void assertGradients(GraphContext ctx, SDVariable out, Map<String, INDArray> ph) {
        Graphs.weightedLoss(ctx, out, 77);
        GradientCheck.Result r = GradientCheck.check(ctx.sd(), "loss", ph, 30);
        assertTrue(r.passed(), r.toString());
    }

    private static INDArray arr(GraphContext ctx, String name) {
        return ctx.sd().getArrForVarName(name);
    }

    @Test
    void multiheadAttentionMatchesLoopReferenceWithPerHeadMask() {
        GraphContext ctx = Graphs.doubleContext(1);
        SDVariable q = ctx.sd().var("q", Graphs.randn(1, 2, 3, 8));
        SDVariable kv = ctx.sd().var("kv", Graphs.randn(2, 2, 5, 8));
        SDVariable kvPos = ctx.sd().var("kvpos", Graphs.randn(3, 2, 5, 8));
        ctx.withShape(q, 2, 3, 8);
        MultiheadAttention mha = new MultiheadAttention(ctx.scope("attn"), 8, 2);
        arr(ctx, "attn.in_proj_bias").assign(Graphs.randn(4, 24));
        arr(ctx, "attn.out_proj.bias").assign(Graphs.randn(5, 8));
        // boolean per-head mask: block some keys for some queries, never a whole row
        INDArray blocked = Nd4j.create(DataType.DOUBLE, 2, 2, 3, 5);
        blocked.putScalar(new long[]{0, 0, 1, 2}, 1);
        blocked.putScalar(new long[]{0, 1, 0, 4}, 1);
        blocked.putScalar(new long[]{1, 1, 2, 0}, 1);
        blocked.putScalar(new long[]{1, 0, 2, 3}, 1);
        SDVariable mask = Attention.additive(ctx.sd(), ctx.sd().constant(blocked), DataType.DOUBLE);
        SDVariable keys = kvPos.add(kv);
        ctx.withShape(keys, 2, 5, 8);
        SDVariable out = mha.forward(q, keys, kv, mask);
        INDArray got = Graphs.eval(ctx, out, Map.of());
        INDArray want = Reference.mha(arr(ctx, "q"), arr(ctx, "kvpos").add(arr(ctx, "kv")), arr(ctx, "kv"),
                arr(ctx, "attn.in_proj_weight"), arr(ctx, "attn.in_proj_bias"), arr(ctx, "attn.out_proj.weight"),
                arr(ctx, "attn.out_proj.bias"), 2, blocked.mul(Attention.BLOCKED));
        assertArrayEquals(new long[]{2, 3, 8}, ctx.shape(out));
        assertTrue(Graphs.maxAbsDiff(got, want) < 1e-12, "differs from the loop reference by " + Graphs.maxAbsDiff(got, want));
        assertGradients(ctx, out, Map.of());
    }

    @Test
    void keyPaddingMaskRemovesKeysEntirely() {
        GraphContext ctx = Graphs.doubleContext(2);
        SDVariable x = ctx.sd().var("x", Graphs.randn(6, 1, 4, 4));
        ctx.withShape(x, 1, 4, 4);
        MultiheadAttention mha = new MultiheadAttention(ctx.scope("a"), 4, 1);
        INDArray pad = Nd4j.createFromArray(new double[]{0, 0, 0, 1}).reshape(1, 1, 1, 4);
        SDVariable out = mha.forward(x, x, x, Attention.additive(ctx.sd(), ctx.sd().constant(pad), DataType.DOUBLE));
        INDArray withPad = Graphs.eval(ctx, out, Map.of());
        // the same attention over the first three tokens only, by reference
        INDArray xs = arr(ctx, "x");
        INDArray first3 = xs.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
        INDArray want = Reference.mha(xs, first3, first3, arr(ctx, "a.in_proj_weight"), arr(ctx, "a.in_proj_bias"),
                arr(ctx, "a.out_proj.weight"), arr(ctx, "a.out_proj.bias"), 1, null);
        assertTrue(Graphs.maxAbsDiff(withPad, want) < 1e-12);
    }

    @Test
    void bilinearResizeMatchesTorchByHand() {
        // torch.nn.functional.interpolate([[1, 2]], size=4, mode='linear', align_corners=False) = [1, 1.25, 1.75, 2]
        double[][] up = Resize.matrix(2, 4);
        double[] v = {1, 2};
        double[] want = {1, 1.25, 1.75, 2};
        for (int i = 0; i < 4; i++) {
            assertEquals(want[i], up[i][0] * v[0] + up[i][1] * v[1], 1e-15);
        }
        // halving averages neighbouring pairs: sources 0.5 and 2.5
        double[][] down = Resize.matrix(4, 2);
        assertArrayEquals(new double[]{0.5, 0.5, 0, 0}, down[0], 1e-15);
        assertArrayEquals(new double[]{0, 0, 0.5, 0.5}, down[1], 1e-15);
        // 3 -> 5 (non-integer ratio): output 1 reads source 1.5*0.6-0.5 = 0.4; output 4 reads 2.2, clamped to the last pixel
        double[][] odd = Resize.matrix(3, 5);
        assertArrayEquals(new double[]{0, 0, 1}, odd[4], 1e-15);
        assertArrayEquals(new double[]{0.6, 0.4, 0}, odd[1], 1e-12);
    }

    @Test
    void bilinearResizeMatchesLoopReferenceUpAndDown() {
        for (int[] size : new int[][]{{9, 7}, {2, 3}, {5, 13}}) {
            GraphContext ctx = Graphs.doubleContext(3);
            SDVariable x = ctx.sd().var("x", Graphs.randn(7, 2, 3, 4, 5));
            SDVariable y = Resize.bilinear(ctx.root(), x, size[0], size[1]);
            INDArray got = Graphs.eval(ctx, y, Map.of());
            INDArray want = Reference.bilinear(arr(ctx, "x"), size[0], size[1]);
            assertTrue(Graphs.maxAbsDiff(got, want) < 1e-12, "resize to " + size[0] + "x" + size[1]);
            assertGradients(ctx, y, Map.of());
        }
    }

    @Test
    void gridSampleMatchesLoopReferenceIncludingOutOfRangePoints() {
        GraphContext ctx = Graphs.doubleContext(4);
        SDVariable x = ctx.sd().var("x", Graphs.randn(8, 2, 3, 4, 5));
        // coordinates in [-1.3, 1.3]: some corners fall outside and must read zero
        SDVariable grid = ctx.sd().var("grid", Graphs.uniform(9, -1.3, 1.3, 2, 3, 2, 2));
        SDVariable y = GridSample.gridSample(ctx.root(), x, grid);
        INDArray got = Graphs.eval(ctx, y, Map.of());
        INDArray want = Reference.gridSample(arr(ctx, "x"), arr(ctx, "grid"));
        assertArrayEquals(new long[]{2, 3, 3, 2}, ctx.shape(y));
        assertTrue(Graphs.maxAbsDiff(got, want) < 1e-12, "grid sample differs by " + Graphs.maxAbsDiff(got, want));
        // the gradient check covers both the sampled map and the coordinates (both are variables)
        assertGradients(ctx, y, Map.of());
    }

    /** Two maps, a 3x4 and a 2x2 level each, five points per map and level, some of them (partly) outside their level. */
    @Test
    void pyramidPatchSamplingMatchesLoopReferenceIncludingOutOfRangePoints() {
        long[][] shapes = {{3, 4}, {2, 2}};
        int maps = 2, levels = 2, points = 5, c = 3;
        GraphContext ctx = Graphs.doubleContext(12);
        SDVariable stack = ctx.withShape(ctx.sd().var("maps", Graphs.randn(13, maps, 16, c)), maps, 16, c);
        // pixel coordinates from 2.5 px before to 1.5 px past each level's extent (the reach of bilinear sampling is 1 px)
        INDArray u = Graphs.uniform(14, 0, 1, maps, levels, points), v = Graphs.uniform(15, 0, 1, maps, levels, points);
        for (int l = 0; l < levels; l++) {
            u.get(all(), point(l), all()).muli(shapes[l][1] + 4).subi(2.5);
            v.get(all(), point(l), all()).muli(shapes[l][0] + 4).subi(2.5);
        }
        SDVariable px = ctx.sd().var("px", u), py = ctx.sd().var("py", v);
        INDArray base = Nd4j.create(DataType.DOUBLE, maps, levels, 1);
        long[] starts = GridSample.patchedStarts(shapes);
        for (int m = 0; m < maps; m++) {
            for (int l = 0; l < levels; l++) {
                base.putScalar(new long[]{m, l, 0}, m * GridSample.patchedLength(shapes) + starts[l]);
            }
        }
        INDArray hs = Nd4j.createFromArray(3.0, 2.0).reshape(1, levels, 1), ws = Nd4j.createFromArray(4.0, 2.0).reshape(1, levels, 1);
        SDVariable patches = GridSample.patchRows(ctx.root(), stack, shapes);
        assertArrayEquals(new long[]{maps * (20 + 9), 4 * c}, ctx.shape(patches));
        SDVariable y = ctx.withShape(GridSample.samplePatches(ctx.sd(), patches, c, px, py, ctx.sd().constant(base), ctx.sd().constant(hs),
                ctx.sd().constant(ws)), maps * levels * points, c);
        INDArray got = Graphs.eval(ctx, y, Map.of());
        INDArray mapValues = arr(ctx, "maps");
        long[] tokenStarts = GridSample.levelStarts(shapes);
        int outside = 0;
        for (int m = 0; m < maps; m++) {
            for (int l = 0; l < levels; l++) {
                for (int k = 0; k < points; k++) {
                    double x = u.getDouble(m, l, k), yy = v.getDouble(m, l, k);
                    int x0 = (int) Math.floor(x), y0 = (int) Math.floor(yy);
                    if (x0 < 0 || y0 < 0 || x0 + 1 >= shapes[l][1] || y0 + 1 >= shapes[l][0]) {
                        outside++;
                    }
                    for (int ch = 0; ch < c; ch++) {
                        double want = 0;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                int xx = x0 + dx, yc = y0 + dy;
                                if (xx >= 0 && yc >= 0 && xx < shapes[l][1] && yc < shapes[l][0]) {
                                    double wgt = (dx == 1 ? x - x0 : 1 - (x - x0)) * (dy == 1 ? yy - y0 : 1 - (yy - y0));
                                    want += wgt * mapValues.getDouble(m, tokenStarts[l] + yc * shapes[l][1] + xx, ch);
                                }
                            }
                        }
                        long row = (m * levels + l) * points + k;
                        assertEquals(want, got.getDouble(row, ch), 1e-12, "map " + m + " level " + l + " point " + k + " (" + x + ", " + yy + ")");
                    }
                }
            }
        }
        assertTrue(outside >= 5, "too few points with a corner outside their level: " + outside);
        // the gradient check covers the maps and both coordinates
        assertGradients(ctx, y, Map.of());
    }

    @Test
    void embeddingLooksUpRowsAndScattersGradients() {
        GraphContext ctx = Graphs.doubleContext(5);
        SDVariable ids = ctx.sd().constant("ids", Nd4j.createFromArray(new int[][]{{0, 3, 3}, {5, 1, 0}}));
        Embedding emb = new Embedding(ctx.scope("token_embedding"), 6, 4, Init.normal(1));
        SDVariable out = emb.forward(ids);
        INDArray got = Graphs.eval(ctx, out, Map.of());
        INDArray table = arr(ctx, "token_embedding.weight");
        assertEquals(table.getRow(5), got.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1), org.nd4j.linalg.indexing.NDArrayIndex.point(0)));
        assertEquals(table.getRow(3), got.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(2)));
        assertGradients(ctx, out, Map.of());
    }

    @Test
    void linearAndMlpMatchMatrixProducts() {
        GraphContext ctx = Graphs.doubleContext(6);
        SDVariable x = ctx.sd().var("x", Graphs.randn(10, 2, 3, 4));
        Mlp mlp = new Mlp(ctx.scope("mask_embed"), 4, 5, 3, 3, Activation.RELU);
        SDVariable y = mlp.forward(x);
        INDArray got = Graphs.eval(ctx, y, Map.of());
        INDArray h = arr(ctx, "x").reshape(6, 4);
        for (int i = 0; i < 3; i++) {
            h = h.mmul(arr(ctx, "mask_embed.layers." + i + ".weight").transpose()).addRowVector(arr(ctx, "mask_embed.layers." + i + ".bias"));
            if (i < 2) {
                h = org.nd4j.linalg.ops.transforms.Transforms.relu(h);
            }
        }
        assertTrue(Graphs.maxAbsDiff(got.reshape(6, 3), h) < 1e-12);
        assertArrayEquals(new long[]{2, 3, 3}, ctx.shape(y));
        assertGradients(ctx, y, Map.of());
    }

    @Test
    void activationsMatchTheirFormulas() {
        GraphContext ctx = Graphs.doubleContext(7);
        SDVariable x = ctx.sd().var("x", Nd4j.createFromArray(-2.0, -0.5, 0.3, 1.0, 2.0));
        INDArray gelu = Graphs.eval(ctx, Activation.GELU.apply(ctx.sd(), x), Map.of());
        // exact GELU values x * Phi(x) from the normal CDF table
        double[] phi = {0.022750131948179195, 0.3085375387259869, 0.6179114221889527, 0.8413447460685429, 0.9772498680518208};
        double[] xs = {-2.0, -0.5, 0.3, 1.0, 2.0};
        for (int i = 0; i < 5; i++) {
            assertEquals(xs[i] * phi[i], gelu.getDouble(i), 1e-12);
        }
        INDArray quick = Graphs.eval(ctx, Activation.QUICK_GELU.apply(ctx.sd(), x), Map.of());
        for (int i = 0; i < 5; i++) {
            assertEquals(xs[i] / (1 + Math.exp(-1.702 * xs[i])), quick.getDouble(i), 1e-12);
        }
        ctx.withShape(x, 5);
        SDVariable both = Activation.GELU.apply(ctx.sd(), x).add(Activation.QUICK_GELU.apply(ctx.sd(), x));
        ctx.withShape(both, 5);
        assertGradients(ctx, both, Map.of());
    }
}
