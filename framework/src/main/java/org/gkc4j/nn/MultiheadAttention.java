package org.gkc4j.nn;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * PyTorch {@code nn.MultiheadAttention} semantics with batch-first tensors: packed {@code in_proj_weight} [3E,E]
 * (rows q, k, v) and {@code in_proj_bias}, {@code out_proj.weight/bias}; q scaled by 1/sqrt(E/H). Masks are additive
 * and broadcast to [B,H,Lq,Lk] (so [Lq,Lk], [B,1,Lq,Lk], per-head [B,H,Lq,Lk] and key padding [B,1,1,Lk] all work);
 * see {@link Attention#additive} for boolean masks.
 */
public final class MultiheadAttention {
    private final Scope scope;
    private final SDVariable inProjWeight, inProjBias;
    private final Linear outProj;
    private final long embed;
    private final int heads;

    public MultiheadAttention(Scope scope, long embed, int heads) {
        this(scope, embed, heads, Init.xavierUniform(1.0));
    }

    public MultiheadAttention(Scope scope, long embed, int heads, Init inProjInit) {
        if (embed % heads != 0) {
            throw new IllegalArgumentException("attention width " + embed + " is not divisible by " + heads + " heads");
        }
        this.scope = scope;
        this.embed = embed;
        this.heads = heads;
        this.inProjWeight = scope.param("in_proj_weight", inProjInit, 3 * embed, embed);
        this.inProjBias = scope.param("in_proj_bias", Init.zeros(), 3 * embed);
        this.outProj = new Linear(scope.child("out_proj"), embed, embed, true, Init.torchDefault(), Init.zeros());
    }

    /** q [B,Lq,E], k and v [B,Lk,E]; returns [B,Lq,E]. */
    public SDVariable forward(SDVariable q, SDVariable k, SDVariable v, SDVariable additiveMask) {
        long[] qs = scope.shape(q), ks = scope.shape(k);
        long b = qs[0], lq = qs[1], lk = ks[1], dh = embed / heads;
        SDVariable qp = project(q, 0, b * lq).reshape(b, lq, embed);
        SDVariable kp = project(k, 1, b * lk).reshape(b, lk, embed);
        SDVariable vp = project(v, 2, b * lk).reshape(b, lk, embed);
        SDVariable o = Attention.scaledDotProduct(scope.sd(),
                Attention.splitHeads(qp, b, lq, heads, dh), Attention.splitHeads(kp, b, lk, heads, dh),
                Attention.splitHeads(vp, b, lk, heads, dh), additiveMask, dh);
        SDVariable merged = scope.withShape(Attention.mergeHeads(o, b, lq, heads, dh), b, lq, embed);
        return outProj.forward(merged);
    }

    private SDVariable project(SDVariable x, int which, long rows) {
        SDVariable w = inProjWeight.get(SDIndex.interval(which * embed, (which + 1) * embed), SDIndex.all());
        SDVariable bias = inProjBias.get(SDIndex.interval(which * embed, (which + 1) * embed));
        return scope.sd().mmul(x.reshape(rows, embed), w, false, true, false).add(bias);
    }

    public int heads() {
        return heads;
    }
}
