package org.gkc4j.nn;

import org.gkc4j.nn.fix.GatherWithGradient;
import org.nd4j.autodiff.samediff.SDIndex;
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
     * The maps of a pyramid laid out for {@link #samplePatches}: {@code maps} is [B, Lin, C], level l's H_l x W_l
     * tokens row-major from {@link #levelStarts}; returns [B * patchedLength(shapes), 4C], where the row of (y, x) in a
     * level zero-padded by one on every side holds the 2x2 neighbourhood (y, x), (y, x+1), (y+1, x), (y+1, x+1) of
     * the original map shifted by one, so every bilinear sample reads one row.
     * <p>
     * Why: the backward of a row gather costs libnd4j about 2 us per row whatever the width (measured 129,024 rows:
     * 281 ms at 32 wide, 255 ms at 128), so one gather of 4C-wide rows costs a quarter of four gathers of C.
     */
    public static SDVariable patchRows(Scope scope, SDVariable maps, long[][] shapes) {
        SameDiff sd = scope.sd();
        long[] s = scope.shape(maps);
        long b = s[0], c = s[2];
        long[] starts = levelStarts(shapes);
        SDVariable[] levels = new SDVariable[shapes.length];
        for (int l = 0; l < shapes.length; l++) {
            long h = shapes[l][0], w = shapes[l][1];
            SDVariable map = maps.get(SDIndex.all(), SDIndex.interval(starts[l], starts[l] + h * w), SDIndex.all()).reshape(b, h, w, c);
            SDVariable rowPad = sd.constant(org.nd4j.linalg.factory.Nd4j.zeros(scope.dtype(), b, 1, w, c));
            map = sd.concat(1, rowPad, map, rowPad);
            SDVariable colPad = sd.constant(org.nd4j.linalg.factory.Nd4j.zeros(scope.dtype(), b, h + 2, 1, c));
            map = sd.concat(2, colPad, map, colPad);                                   // [B, H+2, W+2, C]
            SDVariable[] corners = new SDVariable[4];
            for (int k = 0; k < 4; k++) {
                long dy = k >> 1, dx = k & 1;
                corners[k] = map.get(SDIndex.all(), SDIndex.interval(dy, dy + h + 1), SDIndex.interval(dx, dx + w + 1), SDIndex.all());
            }
            levels[l] = sd.concat(3, corners).reshape(b, (h + 1) * (w + 1), 4 * c);
        }
        SDVariable all = levels.length == 1 ? levels[0] : sd.concat(1, levels);
        SDVariable rows = all.reshape(b * patchedLength(shapes), 4 * c);
        return scope.withShape(rows, b * patchedLength(shapes), 4 * c);
    }

    /** First token of each level in a [B, Lin, C] pyramid (levels in order, row-major). */
    public static long[] levelStarts(long[][] shapes) {
        return starts(shapes, 0);
    }

    /** First patch row of each level within one map's block of {@link #patchRows}. */
    public static long[] patchedStarts(long[][] shapes) {
        return starts(shapes, 1);
    }

    /** Patch rows per map in {@link #patchRows}. */
    public static long patchedLength(long[][] shapes) {
        long[] last = shapes[shapes.length - 1];
        return patchedStarts(shapes)[shapes.length - 1] + (last[0] + 1) * (last[1] + 1);
    }

    /** Running sum of the levels' sizes, each grown by {@code grow} rows and columns. */
    private static long[] starts(long[][] shapes, int grow) {
        long[] starts = new long[shapes.length];
        for (int l = 1; l < shapes.length; l++) {
            starts[l] = starts[l - 1] + (shapes[l - 1][0] + grow) * (shapes[l - 1][1] + grow);
        }
        return starts;
    }

    /**
     * Bilinear sampling (as {@link #sampleRows}) of {@link #patchRows} ({@code c} = the maps' width), each point with its
     * own map size ({@code h}, {@code w}: constants that broadcast against the coordinates, so several levels are
     * sampled in one pass) and {@code base}, the first patch row of its level and map. Coordinates, bases and sizes may
     * have any broadcast-compatible shape; points are taken in C order. Returns [P, C].
     */
    public static SDVariable samplePatches(SameDiff sd, SDVariable patchRows, long c, SDVariable px, SDVariable py, SDVariable base,
                                           SDVariable h, SDVariable w) {
        SDVariable x0 = sd.math().floor(px), y0 = sd.math().floor(py);
        SDVariable wx1 = px.sub(x0), wy1 = py.sub(y0);
        SDVariable wx0 = wx1.rsub(1.0), wy0 = wy1.rsub(1.0);
        SDVariable ax0 = wx0.mul(insideVar(sd, x0, w)), ax1 = wx1.mul(insideVar(sd, x0.add(1.0), w));
        SDVariable ay0 = wy0.mul(insideVar(sd, y0, h)), ay1 = wy1.mul(insideVar(sd, y0.add(1.0), h));
        // the patch of (y0, x0) sits at padded (y0 + 1, x0 + 1); a point whose corners are all outside is clipped to
        // the border and weighted zero by the validity factors above
        SDVariable minusOne = sd.zerosLike(x0).sub(1.0);
        SDVariable cx = sd.math().max(sd.math().min(x0, w.sub(1.0)), minusOne).add(1.0);
        SDVariable cy = sd.math().max(sd.math().min(y0, h.sub(1.0)), minusOne).add(1.0);
        SDVariable idx = cy.mul(w.add(1.0)).add(cx).add(base).castTo(DataType.INT).reshape(-1);
        // one gathered patch per point, points x levels per query: many times the patch rows, and read again only by
        // the backward, so the executor gathers them again there rather than holding them
        SDVariable vals = new GatherWithGradient(sd, patchRows, idx).recomputedForBackward().outputVariable().reshape(-1, 4, c);
        SDVariable weights = sd.concat(1, ay0.mul(ax0).reshape(-1, 1), ay0.mul(ax1).reshape(-1, 1),
                ay1.mul(ax0).reshape(-1, 1), ay1.mul(ax1).reshape(-1, 1)).reshape(-1, 4, 1);
        return vals.mul(weights).sum(1);
    }

    private static SDVariable insideVar(SameDiff sd, SDVariable v, SDVariable size) {
        SDVariable lo = sd.math().clipByValue(v.add(1.0), 0, 1);
        SDVariable hi = sd.math().clipByValue(size.sub(v), 0, 1);
        return lo.mul(hi);
    }

    /**
     * Bilinear sampling at coordinates known outside the graph (constant for one step): the four corner rows and
     * their weights (zero outside the map) are computed in Java, so the graph only gathers and weights. Rows [R,C]
     * as in {@link #sampleRows}; returns [P, C]. {@code singleColumn}: rows is [R, 1] (its backward takes a faster path).
     */
    public static SDVariable sampleWithPlan(SameDiff sd, SDVariable rows, SDVariable[] cornerRows, SDVariable[] cornerWeights, boolean singleColumn) {
        SDVariable out = null;
        for (int c = 0; c < 4; c++) {
            SDVariable vals = new GatherWithGradient(sd, rows, cornerRows[c], singleColumn).outputVariable();
            SDVariable term = vals.mul(cornerWeights[c].reshape(-1, 1));
            out = out == null ? term : out.add(term);
        }
        return out;
    }

    /** The Java side of {@link #sampleWithPlan}: corner rows (int) and weights for pixel coordinates and map bases. */
    public static int[][] planRows(double[] px, double[] py, double[] base, int h, int w, double[][] weightsOut) {
        int p = px.length;
        int[][] rows = new int[4][p];
        for (int c = 0; c < 4; c++) {
            weightsOut[c] = new double[p];
        }
        for (int i = 0; i < p; i++) {
            int x0 = (int) Math.floor(px[i]), y0 = (int) Math.floor(py[i]);
            double lx = px[i] - x0, ly = py[i] - y0;
            for (int c = 0; c < 4; c++) {
                int dx = c & 1, dy = c >> 1;
                int xx = x0 + dx, yy = y0 + dy;
                boolean valid = xx >= 0 && yy >= 0 && xx < w && yy < h;
                int cx = Math.max(0, Math.min(xx, w - 1)), cy = Math.max(0, Math.min(yy, h - 1));
                rows[c][i] = (int) base[i] + cy * w + cx;
                weightsOut[c][i] = valid ? (dx == 1 ? lx : 1 - lx) * (dy == 1 ? ly : 1 - ly) : 0;
            }
        }
        return rows;
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
