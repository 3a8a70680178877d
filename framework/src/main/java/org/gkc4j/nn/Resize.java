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

    /** PyTorch's mode='nearest' with a given size: output i reads input floor(i * in / out). */
    public static double[][] nearestMatrix(int in, int out) {
        double[][] m = new double[out][in];
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            m[i][Math.min((int) Math.floor(i * scale), in - 1)] = 1;
        }
        return m;
    }

    public static INDArray matrixArray(int in, int out, DataType type) {
        return Nd4j.createFromArray(matrix(in, out)).castTo(type);
    }

    /** Nearest-neighbour resizing of [N,C,H,W] (PyTorch mode='nearest'). */
    public static SDVariable nearest(Scope scope, SDVariable x, long outH, long outW) {
        long[] s = scope.shape(x);
        return separable(scope, x, Nd4j.createFromArray(nearestMatrix((int) s[2], (int) outH)).castTo(scope.dtype()),
                Nd4j.createFromArray(nearestMatrix((int) s[3], (int) outW)).castTo(scope.dtype()), outH, outW);
    }

    /** Resizes [N,C,H,W] to [N,C,outH,outW]. */
    public static SDVariable bilinear(Scope scope, SDVariable x, long outH, long outW) {
        long[] s = scope.shape(x);
        return separable(scope, x, matrixArray((int) s[2], (int) outH, scope.dtype()), matrixArray((int) s[3], (int) outW, scope.dtype()), outH, outW);
    }

    /** out = Ry x Rx^T over the two spatial axes, with Ry [outH, H] and Rx [outW, W]. */
    private static SDVariable separable(Scope scope, SDVariable x, INDArray ry, INDArray rx, long outH, long outW) {
        long[] s = scope.shape(x);
        long n = s[0], c = s[1], h = s[2], w = s[3];
        if (h == outH && w == outW) {
            return x;
        }
        SDVariable y = x;
        if (w != outW) {
            y = y.reshape(n * c * h, w).mmul(scope.sd().constant(rx.transpose().dup()));
        }
        SDVariable t = y.reshape(n * c, h, outW).permute(0, 2, 1).reshape(n * c * outW, h);
        if (h != outH) {
            t = t.mmul(scope.sd().constant(ry.transpose().dup()));
        }
        SDVariable out = t.reshape(n * c, outW, outH).permute(0, 2, 1).reshape(n, c, outH, outW);
        return scope.withShape(out, n, c, outH, outW);
    }
}
