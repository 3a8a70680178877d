package org.gkc4j.model;

import org.gkc4j.nn.GridSample;
import org.gkc4j.nn.Init;
import org.gkc4j.nn.Linear;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;


/**
 * Multi-scale deformable attention (Deformable DETR), the exact maths of its PyTorch reference path: each query
 * samples P points per head and level around its reference point (offsets predicted from the query, in units of
 * the level's pixels), bilinearly with zero padding (align_corners=False), weighted by a softmax over levels x
 * points. Sampling is {@link GridSample#samplePatches} (one gathered 2x2 neighbourhood per point), differentiable in
 * the values and the offsets.
 */
public final class MsDeformAttn {
    private final Scope scope;
    private final Linear samplingOffsets, attentionWeights, valueProj, outputProj;
    private final int dim, heads, levels, points;

    public MsDeformAttn(Scope scope, int dim, int heads, int levels, int points) {
        this.scope = scope;
        this.dim = dim;
        this.heads = heads;
        this.levels = levels;
        this.points = points;
        samplingOffsets = new Linear(scope.child("sampling_offsets"), dim, (long) heads * levels * points * 2, true,
                Init.zeros(), offsetBiasInit(heads, levels, points));
        attentionWeights = new Linear(scope.child("attention_weights"), dim, (long) heads * levels * points, true, Init.zeros(), Init.zeros());
        valueProj = new Linear(scope.child("value_proj"), dim, dim, true, Init.xavierUniform(1), Init.zeros());
        outputProj = new Linear(scope.child("output_proj"), dim, dim, true, Init.xavierUniform(1), Init.zeros());
    }

    /** The original initialisation: head h points along angle 2 pi h / H, point p at distance p + 1 (max-norm 1). */
    static Init offsetBiasInit(int heads, int levels, int points) {
        double[] b = new double[heads * levels * points * 2];
        for (int h = 0; h < heads; h++) {
            double t = 2 * Math.PI * h / heads, c = Math.cos(t), s = Math.sin(t);
            double m = Math.max(Math.abs(c), Math.abs(s));
            for (int l = 0; l < levels; l++) {
                for (int p = 0; p < points; p++) {
                    int i = ((h * levels + l) * points + p) * 2;
                    b[i] = c / m * (p + 1);
                    b[i + 1] = s / m * (p + 1);
                }
            }
        }
        return (shape, index, rng) -> b[(int) index];
    }

    /**
     * query [N, Lq, D] (features plus position), input [N, Lin, D] (features), levels' sizes {@code shapes[l] = {H,W}}
     * with level l at tokens start[l]..; the queries are the input tokens themselves (the encoder's case): query q of
     * level lq has reference point ((x + 0.5) / W_lq, (y + 0.5) / H_lq). Returns [N, Lq, D].
     */
    public SDVariable forward(SDVariable query, SDVariable input, long[][] shapes) {
        SameDiff sd = scope.sd();
        long n = scope.shape(query)[0], lq = scope.shape(query)[1], lin = scope.shape(input)[1];
        int dh = dim / heads;
        SDVariable value = valueProj.forward(input).reshape(n, lin, heads, dh).permute(0, 2, 1, 3); // [N, H, Lin, Dh]
        SDVariable offsets = samplingOffsets.forward(query).reshape(n, lq, heads, levels, points, 2);
        SDVariable attn = sd.nn().softmax(attentionWeights.forward(query).reshape(n, lq, heads, levels * points), 3)
                .reshape(n, lq, heads, levels, points);
        double[][] refX = new double[levels][(int) lq], refY = new double[levels][(int) lq];
        referencePixels(shapes, refX, refY);
        // all levels in one pass: each point carries its level's size and the first patch row of its map
        SDVariable maps = scope.withShape(value.reshape(n * heads, lin, dh), n * heads, lin, dh);
        SDVariable patches = GridSample.patchRows(scope, maps, shapes);
        SDVariable ox = offsets.get(SDIndex.all(), SDIndex.all(), SDIndex.all(), SDIndex.all(), SDIndex.all(), SDIndex.point(0));
        SDVariable oy = offsets.get(SDIndex.all(), SDIndex.all(), SDIndex.all(), SDIndex.all(), SDIndex.all(), SDIndex.point(1));
        // pixel coordinates: loc * size - 0.5 = ref * size + offset - 0.5
        SDVariable px = ox.add(sd.constant(levelTable(refX, lq, -0.5, scope)));
        SDVariable py = oy.add(sd.constant(levelTable(refY, lq, -0.5, scope)));
        SDVariable base = sd.constant(baseRows(n, heads, GridSample.patchedLength(shapes), GridSample.patchedStarts(shapes), scope));
        SDVariable hs = sd.constant(sizes(shapes, 0, scope)), ws = sd.constant(sizes(shapes, 1, scope));
        SDVariable sampled = GridSample.samplePatches(sd, patches, dh, px, py, base, hs, ws);       // [N*Lq*H*L*P, Dh]
        SDVariable a = attn.reshape((long) n * lq * heads * levels * points, 1);
        SDVariable out = sampled.mul(a).reshape(n * lq * heads, (long) levels * points, dh).sum(1);    // [N*Lq*H, Dh]
        SDVariable merged = out.reshape(n, lq, (long) heads * dh);
        scope.withShape(merged, n, lq, dim);
        return outputProj.forward(merged);
    }

    /** Reference points of every query (a token of some level) in each level's pixel units: (j + 0.5) * W_l / W_lq. */
    private static void referencePixels(long[][] shapes, double[][] refX, double[][] refY) {
        int q = 0;
        for (long[] own : shapes) {
            for (int y = 0; y < own[0]; y++) {
                for (int x = 0; x < own[1]; x++, q++) {
                    for (int l = 0; l < shapes.length; l++) {
                        refX[l][q] = (x + 0.5) / own[1] * shapes[l][1];
                        refY[l][q] = (y + 0.5) / own[0] * shapes[l][0];
                    }
                }
            }
        }
    }

    /** [1, Lq, 1, L, 1]: per query and level, value + shift. */
    private static INDArray levelTable(double[][] v, long lq, double shift, Scope scope) {
        int levels = v.length;
        double[] flat = new double[(int) lq * levels];
        for (int q = 0; q < lq; q++) {
            for (int l = 0; l < levels; l++) {
                flat[q * levels + l] = v[l][q] + shift;
            }
        }
        return Nd4j.createFromArray(flat).reshape(1, lq, 1, levels, 1).castTo(scope.dtype());
    }

    /** [1, 1, 1, L, 1]: each level's height (dim 0) or width (dim 1). */
    private static INDArray sizes(long[][] shapes, int dim, Scope scope) {
        double[] v = new double[shapes.length];
        for (int l = 0; l < shapes.length; l++) {
            v[l] = shapes[l][dim];
        }
        return Nd4j.createFromArray(v).reshape(1, 1, 1, shapes.length, 1).castTo(scope.dtype());
    }

    /** [N, 1, H, L, 1]: first row of each (sample, head, level) map in a stack of {@code perMap} rows per (sample, head). */
    private static INDArray baseRows(long n, int heads, long perMap, long[] starts, Scope scope) {
        INDArray b = Nd4j.create(scope.dtype(), n, 1, heads, starts.length, 1);
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < heads; h++) {
                for (int l = 0; l < starts.length; l++) {
                    b.putScalar(new long[]{i, 0, h, l, 0}, (double) (i * heads + h) * perMap + starts[l]);
                }
            }
        }
        return b;
    }
}
