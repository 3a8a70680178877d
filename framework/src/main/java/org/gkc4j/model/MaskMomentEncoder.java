package org.gkc4j.model;

import org.gkc4j.nn.Activation;
import org.gkc4j.nn.Mlp;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An addition to the paper's decoder (off unless {@code decoder.maskMomentChannels > 0}): each query's own mask
 * described by its moment invariants, read by a two-layer MLP and added to its class embedding. The learned
 * {@link MaskShapeEncoder} must discover outlines from the class losses in a few hundred steps; Hu's invariants
 * (translation, scale and rotation invariant) state them outright: a disc has h1 = 1/(2 pi), an equilateral triangle
 * sqrt(3)/9 and a third-order h3 > 0, a ring with a hole of 0.55 its radius 0.34. The mask enters binarised
 * (logit > 0) and without gradient: a sigmoid's faint tail over the whole image would swamp the moments of a small
 * object, and the class losses must not reshape masks.
 */
public final class MaskMomentEncoder {
    /** Descriptors per mask: sqrt(area fraction), h1, h2, h3, h4. */
    public static final int DESCRIPTORS = 5;
    private static final double EPS = 1e-6;
    /**
     * Brings each descriptor to order one for the MLP: the area fraction's root as it is, (h1 - a disc's h1) times 10,
     * the small higher-order invariants as 10 sqrt(h) (a triangle's sqrt(h3) is about 0.07).
     */
    private static final double DISC_H1 = 1 / (2 * Math.PI), SCALE = 10;

    private final Scope scope;
    private final Mlp mlp;
    private SDVariable[] grid;
    private long gridH, gridW;

    public MaskMomentEncoder(Scope scope, int channels, int hidden) {
        this.scope = scope;
        mlp = new Mlp(scope, DESCRIPTORS, channels, hidden, 2, Activation.RELU);
    }

    /** masks [B,Q,H,W] (logits) to [B,Q,hidden]. */
    public SDVariable forward(SDVariable masks) {
        long[] s = scope.shape(masks);
        SDVariable[] d = invariants(masks);
        SDVariable y = mlp.forward(stack(new SDVariable[]{d[0], d[1].sub(DISC_H1).mul(SCALE),
                rootScaled(d[2]), rootScaled(d[3]), rootScaled(d[4])}, s[0], s[1]));
        return scope.withShape(y, s[0], s[1], scope.shape(y)[2]);
    }

    /**
     * [B,Q,5]: sqrt of the area fraction, then Hu's first four invariants h1..h4 of the binarised mask, from the
     * normalised central moments eta_pq = mu_pq / area^(1 + (p + q) / 2) (coordinates in cells).
     */
    public SDVariable descriptors(SDVariable masks) {
        long[] s = scope.shape(masks);
        return stack(invariants(masks), s[0], s[1]);
    }

    private SDVariable rootScaled(SDVariable h) {
        return scope.sd().math().sqrt(h.add(EPS)).mul(SCALE);
    }

    private SDVariable stack(SDVariable[] parts, long b, long q) {
        SDVariable[] columns = new SDVariable[parts.length];
        for (int i = 0; i < parts.length; i++) {
            columns[i] = parts[i].reshape(b, q, 1);
        }
        return scope.withShape(scope.sd().concat(2, columns), b, q, DESCRIPTORS);
    }

    /** The five descriptors, each [B,Q]. */
    private SDVariable[] invariants(SDVariable masks) {
        SameDiff sd = scope.sd();
        long[] s = scope.shape(masks);
        long b = s[0], q = s[1], h = s[2], w = s[3];
        SDVariable m = new StopGradient(sd, masks).outputVariable().gt(0.0).castTo(scope.dtype());
        SDVariable[] grid = grid(h, w);
        SDVariable xs = grid[0], ys = grid[1];
        SDVariable area = m.sum(true, 2, 3);                                      // [B,Q,1,1]
        SDVariable denom = area.add(EPS);
        SDVariable dx = xs.sub(m.mul(xs).sum(true, 2, 3).div(denom));              // [B,Q,H,W]
        SDVariable dy = ys.sub(m.mul(ys).sum(true, 2, 3).div(denom));
        SDVariable a = denom.reshape(b, q);
        SDVariable e20 = eta(m, dx, dy, 2, 0, a, b, q), e02 = eta(m, dx, dy, 0, 2, a, b, q), e11 = eta(m, dx, dy, 1, 1, a, b, q);
        SDVariable e30 = eta(m, dx, dy, 3, 0, a, b, q), e03 = eta(m, dx, dy, 0, 3, a, b, q);
        SDVariable e21 = eta(m, dx, dy, 2, 1, a, b, q), e12 = eta(m, dx, dy, 1, 2, a, b, q);
        SDVariable h1 = e20.add(e02);
        SDVariable h2 = sd.math().square(e20.sub(e02)).add(sd.math().square(e11).mul(4.0));
        SDVariable h3 = sd.math().square(e30.sub(e12.mul(3.0))).add(sd.math().square(e21.mul(3.0).sub(e03)));
        SDVariable h4 = sd.math().square(e30.add(e12)).add(sd.math().square(e21.add(e03)));
        SDVariable fraction = sd.math().sqrt(area.reshape(b, q).div((double) (h * w)));
        return new SDVariable[]{fraction, h1, h2, h3, h4};
    }

    /** Cell coordinates x and y [1,1,H,W], made once per mask size: every prediction set reads the same grid. */
    private SDVariable[] grid(long h, long w) {
        if (grid == null || gridH != h || gridW != w) {
            INDArray gx = Nd4j.create(scope.dtype(), 1, 1, h, w), gy = Nd4j.create(scope.dtype(), 1, 1, h, w);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    gx.putScalar(new long[]{0, 0, y, x}, x);
                    gy.putScalar(new long[]{0, 0, y, x}, y);
                }
            }
            grid = new SDVariable[]{scope.sd().constant(gx), scope.sd().constant(gy)};
            gridH = h;
            gridW = w;
        }
        return grid;
    }

    private static SDVariable eta(SDVariable m, SDVariable dx, SDVariable dy, int p, int r, SDVariable area, long b, long q) {
        SDVariable term = m;
        for (int i = 0; i < p; i++) {
            term = term.mul(dx);
        }
        for (int i = 0; i < r; i++) {
            term = term.mul(dy);
        }
        return term.sum(false, 2, 3).div(area.pow(1 + (p + r) / 2.0)).reshape(b, q);
    }
}
