package org.gkc4j.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bilinear resizing of NCHW maps with PyTorch's {@code align_corners=False} semantics, up or down (no antialias),
 * as two multiplications by constant interpolation matrices. M2.1's resizeBilinear has no working backward and its
 * presence breaks gradient creation for the whole graph; this form is exact and differentiable.
 */
public final class Resize {
    private Resize() {
    }

    /**
     * The [out, in] matrix whose rows hold the two interpolation weights of each output index: source coordinate
     * (i + 0.5) * in / out - 0.5, clamped at 0, as PyTorch computes it when a size is given.
     */
    public static double[][] matrix(int in, int out) {
        double[][] m = new double[out][in];
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            double src = Math.max((i + 0.5) * scale - 0.5, 0.0);
            int i0 = (int) Math.floor(src);
            if (i0 > in - 1) {
                i0 = in - 1;
            }
            int i1 = Math.min(i0 + 1, in - 1);
            double l1 = src - i0;
            m[i][i0] += 1 - l1;
            m[i][i1] += l1;
        }
        return m;
    }

    public static INDArray matrixArray(int in, int out, DataType type) {
        return Nd4j.createFromArray(matrix(in, out)).castTo(type);
    }

    /** Resizes [N,C,H,W] to [N,C,outH,outW]. */
    public static SDVariable bilinear(Scope scope, SDVariable x, long outH, long outW) {
        long[] s = scope.shape(x);
        long n = s[0], c = s[1], h = s[2], w = s[3];
        if (h == outH && w == outW) {
            return x;
        }
        SDVariable y = x;
        if (w != outW) {
            SDVariable rxT = scope.sd().constant(matrixArray((int) w, (int) outW, scope.dtype()).transpose().dup());
            y = y.reshape(n * c * h, w).mmul(rxT);
        }
        SDVariable t = y.reshape(n * c, h, outW).permute(0, 2, 1).reshape(n * c * outW, h);
        if (h != outH) {
            SDVariable ryT = scope.sd().constant(matrixArray((int) h, (int) outH, scope.dtype()).transpose().dup());
            t = t.mmul(ryT);
        }
        SDVariable out = t.reshape(n * c, outW, outH).permute(0, 2, 1).reshape(n, c, outH, outW);
        return scope.withShape(out, n, c, outH, outW);
    }
}
