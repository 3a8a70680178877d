package org.gkc4j.model;

import org.gkc4j.nn.Activation;
import org.gkc4j.nn.Init;
import org.gkc4j.nn.LayerNorm;
import org.gkc4j.nn.Linear;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDVariable;

/** One post-norm deformable encoder layer: x = LN1(x + MSDeformAttn(x + pos, x)); x = LN2(x + W2 ReLU(W1 x)). */
final class MsDeformEncoderLayer {
    private final Scope scope;
    private final MsDeformAttn attn;
    private final LayerNorm norm1, norm2;
    private final Linear linear1, linear2;

    MsDeformEncoderLayer(Scope scope, int dim, int ffn, int heads, int levels, int points) {
        this.scope = scope;
        attn = new MsDeformAttn(scope.child("self_attn"), dim, heads, levels, points);
        norm1 = new LayerNorm(scope.child("norm1"), dim);
        linear1 = new Linear(scope.child("linear1"), dim, ffn, true, Init.xavierUniform(1), Init.torchBias(dim));
        linear2 = new Linear(scope.child("linear2"), ffn, dim, true, Init.xavierUniform(1), Init.torchBias(ffn));
        norm2 = new LayerNorm(scope.child("norm2"), dim);
    }

    SDVariable forward(SDVariable src, SDVariable pos, long[][] shapes) {
        long[] s = scope.shape(src);
        SDVariable q = scope.withShape(src.add(pos), s);
        SDVariable x = scope.withShape(src.add(attn.forward(q, src, shapes)), s);
        x = norm1.forward(x);
        SDVariable f = linear2.forward(Activation.RELU.apply(scope, linear1.forward(x)));
        return norm2.forward(scope.withShape(x.add(f), s));
    }
}
