package org.gkc4j.model;

import org.gkc4j.nn.Activation;
import org.gkc4j.nn.Init;
import org.gkc4j.nn.LayerNorm;
import org.gkc4j.nn.Linear;
import org.gkc4j.nn.MultiheadAttention;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDVariable;

/** Mask2Former's three decoder sub-layers (post-norm, dropout 0), each one class as in the original. */
final class DecoderLayers {
    private DecoderLayers() {
    }

    /** out = LN(out + MHA(q = out + query_pos, k = memory + pos, v = memory, mask)); keys {@code multihead_attn}, {@code norm}. */
    static final class CrossAttention {
        private final Scope scope;
        private final MultiheadAttention attn;
        private final LayerNorm norm;

        CrossAttention(Scope scope, int dim, int heads) {
            this.scope = scope;
            attn = new MultiheadAttention(scope.child("multihead_attn"), dim, heads, Init.xavierUniform(1));
            norm = new LayerNorm(scope.child("norm"), dim);
        }

        SDVariable forward(SDVariable out, SDVariable memory, SDVariable mask, SDVariable pos, SDVariable queryPos) {
            long[] os = scope.shape(out), ms = scope.shape(memory);
            SDVariable q = scope.withShape(out.add(queryPos), os);
            SDVariable k = scope.withShape(memory.add(pos), ms);
            SDVariable a = attn.forward(q, k, memory, mask);
            return norm.forward(scope.withShape(out.add(a), os));
        }
    }

    /** out = LN(out + MHA(q = k = out + query_pos, v = out)); keys {@code self_attn}, {@code norm}. */
    static final class SelfAttention {
        private final Scope scope;
        private final MultiheadAttention attn;
        private final LayerNorm norm;

        SelfAttention(Scope scope, int dim, int heads) {
            this.scope = scope;
            attn = new MultiheadAttention(scope.child("self_attn"), dim, heads, Init.xavierUniform(1));
            norm = new LayerNorm(scope.child("norm"), dim);
        }

        SDVariable forward(SDVariable out, SDVariable queryPos) {
            long[] os = scope.shape(out);
            SDVariable q = scope.withShape(out.add(queryPos), os);
            SDVariable a = attn.forward(q, q, out, null);
            return norm.forward(scope.withShape(out.add(a), os));
        }
    }

    /** out = LN(out + W2 ReLU(W1 out)); keys {@code linear1}, {@code linear2}, {@code norm}. */
    static final class Ffn {
        private final Scope scope;
        private final Linear linear1, linear2;
        private final LayerNorm norm;

        Ffn(Scope scope, int dim, int ffn) {
            this.scope = scope;
            linear1 = new Linear(scope.child("linear1"), dim, ffn, true, Init.xavierUniform(1), Init.torchBias(dim));
            linear2 = new Linear(scope.child("linear2"), ffn, dim, true, Init.xavierUniform(1), Init.torchBias(ffn));
            norm = new LayerNorm(scope.child("norm"), dim);
        }

        SDVariable forward(SDVariable out) {
            SDVariable f = linear2.forward(Activation.RELU.apply(scope, linear1.forward(out)));
            return norm.forward(scope.withShape(out.add(f), scope.shape(out)));
        }
    }
}
