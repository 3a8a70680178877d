package org.gkc4j.model;

import org.gkc4j.nn.Attention;
import org.gkc4j.nn.Resize;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

import java.util.ArrayList;
import java.util.List;

/**
 * Mask2Former's masked-attention transformer decoder with GKC's class head (a Linear(D, D) class embedding rather
 * than class logits): learnable queries, layers cycling over the three feature levels (masked cross-attention,
 * self-attention, FFN), a prediction after the learnable queries and after every layer. Each prediction's masks,
 * resized to the next level, block attention where sigmoid < 0.5 (a fully blocked row is unblocked).
 */
public final class MaskedAttentionDecoder {
    /** One prediction set: masks [B,Q,H/s,W/s] (logits, s = the mask stride) and class embeddings [B,Q,D]. */
    public record Prediction(SDVariable masks, SDVariable classEmbedding) {
    }

    private final Scope scope;
    private final GkcModelConfig.Decoder cfg;
    private final MaskedAttentionLayers layers;

    public MaskedAttentionDecoder(Scope scope, GkcModelConfig.Decoder cfg, int maskDim) {
        this.scope = scope;
        this.cfg = cfg;
        this.layers = new MaskedAttentionLayers(scope, cfg, maskDim);
    }

    public List<Prediction> forward(List<SDVariable> multiScale, SDVariable maskFeatures) {
        SameDiff sd = scope.sd();
        int d = cfg.hidden();
        long b = scope.shape(maskFeatures)[0];
        List<SDVariable> srcs = new ArrayList<>(), poss = new ArrayList<>();
        List<long[]> sizes = new ArrayList<>();
        for (int l = 0; l < 3; l++) {
            long[] s = scope.shape(multiScale.get(l));
            sizes.add(new long[]{s[2], s[3]});
            long hw = s[2] * s[3];
            SDVariable src = multiScale.get(l).reshape(b, d, hw).permute(0, 2, 1).add(layers.levelEmbed.get(SDIndex.point(l)).reshape(1, 1, d));
            srcs.add(scope.withShape(src, b, hw, d));
            SDVariable pos = sd.constant(PositionEmbeddingSine.encode(d / 2, s[2], s[3], scope.dtype())).reshape(1, d, hw).permute(0, 2, 1);
            poss.add(pos);
        }
        return layers.run(b, srcs, poss, sizes, out -> heads(out, maskFeatures), this::attentionMask);
    }

    private Prediction heads(SDVariable out, SDVariable maskFeatures) {
        long[] fs = scope.shape(maskFeatures);
        long b = fs[0], c = fs[1], h = fs[2], w = fs[3];
        SDVariable normed = layers.decoderNorm.forward(out);
        SDVariable cls = layers.classEmbed.forward(normed);
        SDVariable me = layers.maskEmbed.forward(normed);                              // [B,Q,C]
        SDVariable masks = scope.withShape(scope.sd().mmul(me, maskFeatures.reshape(b, c, h * w)).reshape(b, cfg.queries(), h, w), b, cfg.queries(), h, w);
        if (layers.maskShape != null) {
            cls = scope.withShape(cls.add(layers.maskShape.forward(masks)), b, cfg.queries(), cfg.hidden());
        }
        if (layers.maskMoments != null) {
            cls = scope.withShape(cls.add(layers.maskMoments.forward(masks)), b, cfg.queries(), cfg.hidden());
        }
        return new Prediction(masks, cls);
    }

    /** Additive mask [B,1,Q,hw]: blocked where the resized mask logit is negative (sigmoid < 0.5), no gradient. */
    private SDVariable attentionMask(SDVariable masks, long[] size) {
        SameDiff sd = scope.sd();
        long[] s = scope.shape(masks);
        long b = s[0], q = s[1], hw = size[0] * size[1];
        SDVariable resized = Resize.bilinear(scope, masks, size[0], size[1]).reshape(b, q, hw);
        SDVariable detached = new StopGradient(sd, resized).outputVariable();
        return blockedWhereNegative(scope, detached, hw).reshape(b, 1, q, hw);
    }

    /**
     * Additive attention mask [B,Q,hw] from mask logits [B,Q,hw]: {@link Attention#BLOCKED} where the logit is negative,
     * except that a query whose every key is blocked attends everywhere (Mask2Former's rule).
     */
    static SDVariable blockedWhereNegative(Scope scope, SDVariable logits, long hw) {
        SDVariable blocked = logits.lt(0.0).castTo(scope.dtype());
        SDVariable fullRow = blocked.sum(true, 2).gte((double) hw).castTo(scope.dtype());  // 1 where the whole row is blocked
        SDVariable effective = blocked.mul(fullRow.rsub(1.0));
        return effective.mul(Attention.BLOCKED);
    }
}
