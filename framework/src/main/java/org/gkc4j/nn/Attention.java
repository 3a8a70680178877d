package org.gkc4j.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/** Scaled dot-product attention on [B,H,L,Dh] tensors and helpers for PyTorch-style masks. */
public final class Attention {
    /** Large enough that exp() underflows to exactly 0, finite so a fully masked row does not become NaN. */
    public static final double BLOCKED = -1e9;

    private Attention() {
    }

    /**
     * softmax(q k^T / sqrt(Dh) + mask) v for q [B,H,Lq,Dh], k and v [B,H,Lk,Dh]; the additive mask (may be null)
     * broadcasts to [B,H,Lq,Lk]. Returns [B,H,Lq,Dh].
     */
    public static SDVariable scaledDotProduct(SameDiff sd, SDVariable q, SDVariable k, SDVariable v, SDVariable mask, long headDim) {
        SDVariable scores = sd.mmul(q.mul(1.0 / Math.sqrt(headDim)), k, false, true, false);
        if (mask != null) {
            scores = scores.add(mask);
        }
        SDVariable attn = sd.nn().softmax(scores, 3);
        return sd.mmul(attn, v);
    }

    /** An additive mask from a boolean/0-1 "blocked" tensor: 0 where allowed, {@link #BLOCKED} where blocked. */
    public static SDVariable additive(SameDiff sd, SDVariable blocked, DataType type) {
        return blocked.castTo(type).mul(BLOCKED);
    }

    /** [B,L,E] to [B,H,L,E/H]. */
    static SDVariable splitHeads(SDVariable x, long b, long l, int heads, long headDim) {
        return x.reshape(b, l, heads, headDim).permute(0, 2, 1, 3);
    }

    /** [B,H,L,Dh] to [B,L,H*Dh]. */
    static SDVariable mergeHeads(SDVariable x, long b, long l, int heads, long headDim) {
        return x.permute(0, 2, 1, 3).reshape(b, l, heads * headDim);
    }
}
