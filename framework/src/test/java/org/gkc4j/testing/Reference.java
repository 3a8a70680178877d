package org.gkc4j.testing;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Plain-loop reference implementations with PyTorch's semantics, independent of SameDiff, for forward tests.
 * Slow and obvious on purpose.
 */
public final class Reference {
    private Reference() {
    }

    /** x [N,C,H,W], w [O,C/g,k,k], b [O] or null. */
    public static INDArray conv2d(INDArray x, INDArray w, INDArray b, int stride, int pad, int dil, int groups) {
        long n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3);
        long o = w.size(0), k = w.size(2), cg = c / groups, og = o / groups;
        long oh = (h + 2 * pad - dil * (k - 1) - 1) / stride + 1, ow = (wd + 2 * pad - dil * (k - 1) - 1) / stride + 1;
        INDArray out = Nd4j.create(DataType.DOUBLE, n, o, oh, ow);
        for (int ni = 0; ni < n; ni++)
            for (int oc = 0; oc < o; oc++) {
                int g = (int) (oc / og);
                for (int y = 0; y < oh; y++)
                    for (int xx = 0; xx < ow; xx++) {
                        double acc = b == null ? 0 : b.getDouble(oc);
                        for (int ic = 0; ic < cg; ic++)
                            for (int ky = 0; ky < k; ky++)
                                for (int kx = 0; kx < k; kx++) {
                                    long iy = (long) y * stride - pad + (long) ky * dil, ix = (long) xx * stride - pad + (long) kx * dil;
                                    if (iy < 0 || ix < 0 || iy >= h || ix >= wd) continue;
                                    acc += x.getDouble(ni, g * cg + ic, iy, ix) * w.getDouble(oc, ic, ky, kx);
                                }
                        out.putScalar(new long[]{ni, oc, y, xx}, acc);
                    }
            }
        return out;
    }

    /** PyTorch bilinear interpolate, align_corners=False, along both spatial axes of [N,C,H,W]. */
    public static INDArray bilinear(INDArray x, int oh, int ow) {
        long n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        INDArray out = Nd4j.create(DataType.DOUBLE, n, c, oh, ow);
        for (int ni = 0; ni < n; ni++)
            for (int ci = 0; ci < c; ci++)
                for (int y = 0; y < oh; y++)
                    for (int xx = 0; xx < ow; xx++) {
                        double sy = Math.max((y + 0.5) * h / oh - 0.5, 0), sx = Math.max((xx + 0.5) * w / ow - 0.5, 0);
                        int y0 = (int) sy, x0 = (int) sx;
                        int y1 = y0 < h - 1 ? y0 + 1 : y0, x1 = x0 < w - 1 ? x0 + 1 : x0;
                        double ly = sy - y0, lx = sx - x0;
                        double v = (1 - ly) * ((1 - lx) * x.getDouble(ni, ci, y0, x0) + lx * x.getDouble(ni, ci, y0, x1))
                                + ly * ((1 - lx) * x.getDouble(ni, ci, y1, x0) + lx * x.getDouble(ni, ci, y1, x1));
                        out.putScalar(new long[]{ni, ci, y, xx}, v);
                    }
        return out;
    }

    /** PyTorch grid_sample bilinear, zeros padding, align_corners=False. grid [N,Ho,Wo,2] (x, y). */
    public static INDArray gridSample(INDArray x, INDArray grid) {
        long n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), ho = grid.size(1), wo = grid.size(2);
        INDArray out = Nd4j.create(DataType.DOUBLE, n, c, ho, wo);
        for (int ni = 0; ni < n; ni++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++) {
                    double px = ((grid.getDouble(ni, i, j, 0) + 1) * w - 1) / 2;
                    double py = ((grid.getDouble(ni, i, j, 1) + 1) * h - 1) / 2;
                    int x0 = (int) Math.floor(px), y0 = (int) Math.floor(py);
                    double lx = px - x0, ly = py - y0;
                    for (int ci = 0; ci < c; ci++) {
                        double v = 0;
                        for (int dy = 0; dy <= 1; dy++)
                            for (int dx = 0; dx <= 1; dx++) {
                                int yy = y0 + dy, xx = x0 + dx;
                                if (yy < 0 || xx < 0 || yy >= h || xx >= w) continue;
                                double wt = (dx == 1 ? lx : 1 - lx) * (dy == 1 ? ly : 1 - ly);
                                v += wt * x.getDouble(ni, ci, yy, xx);
                            }
                        out.putScalar(new long[]{ni, ci, i, j}, v);
                    }
                }
        return out;
    }

    /**
     * Multi-head attention, batch-first: q [B,Lq,E], k/v [B,Lk,E], packed in-proj [3E,E]/[3E], out-proj, additive
     * mask [B,H,Lq,Lk] (or null).
     */
    public static INDArray mha(INDArray q, INDArray k, INDArray v, INDArray inW, INDArray inB, INDArray outW, INDArray outB,
                               int heads, INDArray mask) {
        long b = q.size(0), lq = q.size(1), lk = k.size(1), e = q.size(2), dh = e / heads;
        INDArray out = Nd4j.create(DataType.DOUBLE, b, lq, e);
        for (int bi = 0; bi < b; bi++) {
            double[][] qp = proj(q, bi, inW, inB, 0, e), kp = proj(k, bi, inW, inB, e, e), vp = proj(v, bi, inW, inB, 2 * e, e);
            double[][] concat = new double[(int) lq][(int) e];
            for (int hh = 0; hh < heads; hh++)
                for (int i = 0; i < lq; i++) {
                    double[] s = new double[(int) lk];
                    double mx = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < lk; j++) {
                        double d = 0;
                        for (int t = 0; t < dh; t++) d += qp[i][(int) (hh * dh + t)] * kp[j][(int) (hh * dh + t)];
                        s[j] = d / Math.sqrt(dh) + (mask == null ? 0 : mask.getDouble(bi, hh, i, j));
                        mx = Math.max(mx, s[j]);
                    }
                    double z = 0;
                    for (int j = 0; j < lk; j++) z += (s[j] = Math.exp(s[j] - mx));
                    for (int t = 0; t < dh; t++) {
                        double acc = 0;
                        for (int j = 0; j < lk; j++) acc += s[j] / z * vp[j][(int) (hh * dh + t)];
                        concat[i][(int) (hh * dh + t)] = acc;
                    }
                }
            for (int i = 0; i < lq; i++)
                for (int o = 0; o < e; o++) {
                    double acc = outB.getDouble(o);
                    for (int t = 0; t < e; t++) acc += concat[i][t] * outW.getDouble(o, t);
                    out.putScalar(new long[]{bi, i, o}, acc);
                }
        }
        return out;
    }

    private static double[][] proj(INDArray x, int bi, INDArray w, INDArray b, long row0, long e) {
        long l = x.size(1);
        double[][] r = new double[(int) l][(int) e];
        for (int i = 0; i < l; i++)
            for (int o = 0; o < e; o++) {
                double acc = b.getDouble(row0 + o);
                for (int t = 0; t < e; t++) acc += x.getDouble(bi, i, t) * w.getDouble(row0 + o, t);
                r[i][o] = acc;
            }
        return r;
    }
}
