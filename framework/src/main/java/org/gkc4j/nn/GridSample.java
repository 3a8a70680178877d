package org.gkc4j.nn;

import org.gkc4j.nn.fix.GatherWithGradient;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Bilinear sampling at fractional coordinates with zero padding, differentiable in both the sampled map and the
 * coordinates (PyTorch {@code grid_sample(mode='bilinear', padding_mode='zeros', align_corners=False)}). M2.1 has no
 * such op: it is built from floor, comparisons, a row gather whose backward works ({@link GatherWithGradient}) and
 * arithmetic.
 */
public final class GridSample {
    private GridSample() {
    }

    /**
     * Samples rows of a flattened map stack. {@code rows} is [R, C], where map m occupies rows
     * {@code base + y * W + x}; {@code px}, {@code py} are [P] pixel coordinates (pixel k's centre at k) and
     * {@code base} is [P], the first row of each point's map. Corners outside [0,W-1]x[0,H-1] contribute zero.
     * Returns [P, C].
     */
    public static SDVariable sampleRows(SameDiff sd, SDVariable rows, SDVariable px, SDVariable py, SDVariable base, long h, long w, DataType type) {
        SDVariable x0 = sd.math().floor(px);
        SDVariable y0 = sd.math().floor(py);
        SDVariable wx1 = px.sub(x0), wy1 = py.sub(y0);
        SDVariable wx0 = wx1.rsub(1.0), wy0 = wy1.rsub(1.0);
        SDVariable x1 = x0.add(1.0), y1 = y0.add(1.0);
        SDVariable out = null;
        SDVariable[][] corners = {{x0, y0, wx0, wy0}, {x1, y0, wx1, wy0}, {x0, y1, wx0, wy1}, {x1, y1, wx1, wy1}};
        for (SDVariable[] c : corners) {
            SDVariable valid = inside(sd, c[0], w, type).mul(inside(sd, c[1], h, type));
            SDVariable xi = sd.math().clipByValue(c[0], 0, w - 1);
            SDVariable yi = sd.math().clipByValue(c[1], 0, h - 1);
            SDVariable idx = base.add(yi.mul((double) w)).add(xi).castTo(DataType.INT);
            SDVariable vals = new GatherWithGradient(sd, rows, idx).outputVariable();
            SDVariable weight = c[2].mul(c[3]).mul(valid).reshape(-1, 1);
            SDVariable term = vals.mul(weight);
            out = out == null ? term : out.add(term);
        }
        return out;
    }

    /** 1 where 0 <= v <= size-1 (v holds whole numbers), else 0; built arithmetically so it needs no backward. */
    private static SDVariable inside(SameDiff sd, SDVariable v, long size, DataType type) {
        // clip(v + 1, 0, 1) is 1 for v >= 0 and 0 for v <= -1; clip(size - v, 0, 1) is 1 for v <= size-1
        SDVariable lo = sd.math().clipByValue(v.add(1.0), 0, 1);
        SDVariable hi = sd.math().clipByValue(v.rsub((double) size), 0, 1);
        return lo.mul(hi);
    }

    /**
     * PyTorch grid_sample: input [N,C,H,W], grid [N,Ho,Wo,2] holding normalised (x, y) in [-1, 1]; returns
     * [N,C,Ho,Wo].
     */
    public static SDVariable gridSample(Scope scope, SDVariable input, SDVariable grid) {
        SameDiff sd = scope.sd();
        long[] s = scope.shape(input), g = scope.shape(grid);
        long n = s[0], c = s[1], h = s[2], w = s[3], ho = g[1], wo = g[2];
        long p = n * ho * wo;
        SDVariable rows = input.permute(0, 2, 3, 1).reshape(n * h * w, c);
        SDVariable flat = grid.reshape(p, 2);
        SDVariable gx = flat.get(org.nd4j.autodiff.samediff.SDIndex.all(), org.nd4j.autodiff.samediff.SDIndex.point(0));
        SDVariable gy = flat.get(org.nd4j.autodiff.samediff.SDIndex.all(), org.nd4j.autodiff.samediff.SDIndex.point(1));
        SDVariable px = gx.add(1.0).mul(w / 2.0).sub(0.5);
        SDVariable py = gy.add(1.0).mul(h / 2.0).sub(0.5);
        double[] baseVals = new double[(int) p];
        for (int i = 0; i < p; i++) {
            baseVals[i] = (double) (i / (ho * wo)) * h * w;
        }
        SDVariable base = sd.constant(org.nd4j.linalg.factory.Nd4j.createFromArray(baseVals).castTo(scope.dtype()));
        SDVariable sampled = sampleRows(sd, rows, px, py, base, h, w, scope.dtype());
        SDVariable out = sampled.reshape(n, ho, wo, c).permute(0, 3, 1, 2);
        return scope.withShape(out, n, c, ho, wo);
    }
}
