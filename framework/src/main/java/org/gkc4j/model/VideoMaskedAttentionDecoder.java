package org.gkc4j.model;

import org.gkc4j.nn.Activation;
import org.gkc4j.nn.Init;
import org.gkc4j.nn.LayerNorm;
import org.gkc4j.nn.Linear;
import org.gkc4j.nn.Mlp;
import org.gkc4j.nn.Resize;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

import java.util.ArrayList;
import java.util.List;

/**
 * Video Mask2Former's decoder on the image decoder's parameters (same names, so an image checkpoint loads into it):
 * the learnable queries are shared by the T frames of a clip, and each layer's masked cross-attention reads the
 * clip's space-time memory of one level ([B, T*h*w, D], frame-major) with the space-time sine encoding
 * ({@link PositionEmbeddingSine3d}). A query predicts one mask per frame from its single mask embedding and the
 * frame's mask features, so it follows one segment through the clip, and one class embedding for the clip (the mask
 * shape and moment encoders, when present, read every frame's mask and are averaged over the frames).
 */
public final class VideoMaskedAttentionDecoder {
    private final Scope scope;
    private final GkcModelConfig.Decoder cfg;
    private final int frames;
    private final SDVariable queryFeat, queryEmbed, levelEmbed;
    private final List<DecoderLayers.CrossAttention> cross = new ArrayList<>();
    private final List<DecoderLayers.SelfAttention> self = new ArrayList<>();
    private final List<DecoderLayers.Ffn> ffn = new ArrayList<>();
    private final LayerNorm decoderNorm;
    private final Linear classEmbed;
    private final Mlp maskEmbed;
    private final MaskShapeEncoder maskShape;
    private final MaskMomentEncoder maskMoments;

    public VideoMaskedAttentionDecoder(Scope scope, GkcModelConfig.Decoder cfg, int maskDim, int frames) {
        if (frames < 1) {
            throw new IllegalArgumentException("a clip has at least one frame, not " + frames);
        }
        this.scope = scope;
        this.cfg = cfg;
        this.frames = frames;
        int d = cfg.hidden();
        for (int i = 0; i < cfg.layers(); i++) {
            self.add(new DecoderLayers.SelfAttention(scope.child("transformer_self_attention_layers").child(i), d, cfg.heads()));
        }
        for (int i = 0; i < cfg.layers(); i++) {
            cross.add(new DecoderLayers.CrossAttention(scope.child("transformer_cross_attention_layers").child(i), d, cfg.heads()));
        }
        for (int i = 0; i < cfg.layers(); i++) {
            ffn.add(new DecoderLayers.Ffn(scope.child("transformer_ffn_layers").child(i), d, cfg.ffnDim()));
        }
        decoderNorm = new LayerNorm(scope.child("decoder_norm"), d);
        queryFeat = scope.child("query_feat").param("weight", Init.normal(1), cfg.queries(), d);
        queryEmbed = scope.child("query_embed").param("weight", Init.normal(1), cfg.queries(), d);
        levelEmbed = scope.child("level_embed").param("weight", Init.normal(1), 3, d);
        scope.noWeightDecay(queryFeat, queryEmbed, levelEmbed);
        classEmbed = new Linear(scope.child("class_embed"), d, d, true);
        maskEmbed = new Mlp(scope.child("mask_embed"), d, d, maskDim, 3, Activation.RELU);
        maskShape = cfg.maskShapeChannels() > 0 ? new MaskShapeEncoder(scope.child("mask_shape"), cfg.maskShapeChannels(), d) : null;
        maskMoments = cfg.maskMomentChannels() > 0 ? new MaskMomentEncoder(scope.child("mask_moments"), cfg.maskMomentChannels(), d) : null;
    }

    public int frames() {
        return frames;
    }

    /**
     * multiScale: three levels [B*T, D, h_l, w_l] (strides 32, 16, 8), maskFeatures [B*T, C, H, W], a clip's frames
     * consecutive. Predictions hold masks [B, Q, T*H, W] (frame t in rows t*H .. t*H+H-1) and class embeddings [B,Q,D].
     */
    public List<MaskedAttentionDecoder.Prediction> forward(List<SDVariable> multiScale, SDVariable maskFeatures) {
        SameDiff sd = scope.sd();
        int d = cfg.hidden(), q = cfg.queries();
        long bt = scope.shape(maskFeatures)[0], t = frames, b = bt / t;
        if (b * t != bt) {
            throw new IllegalArgumentException(bt + " frames do not split into clips of " + t);
        }
        List<SDVariable> srcs = new ArrayList<>(), poss = new ArrayList<>();
        List<long[]> sizes = new ArrayList<>();
        for (int l = 0; l < 3; l++) {
            long[] s = scope.shape(multiScale.get(l));
            sizes.add(new long[]{s[2], s[3]});
            long hw = s[2] * s[3];
            SDVariable src = multiScale.get(l).reshape(b, t, d, hw).permute(0, 1, 3, 2).reshape(b, t * hw, d)
                    .add(levelEmbed.get(SDIndex.point(l)).reshape(1, 1, d));
            srcs.add(scope.withShape(src, b, t * hw, d));
            SDVariable pos = sd.constant(PositionEmbeddingSine3d.encode(d / 2, t, s[2], s[3], scope.dtype())).reshape(1, d, t * hw).permute(0, 2, 1);
            poss.add(pos);
        }
        SDVariable queryPos = queryEmbed.reshape(1, q, d);
        SDVariable out = scope.withShape(sd.tile(queryFeat.reshape(1, q, d), (int) b, 1, 1), b, q, d);
        List<MaskedAttentionDecoder.Prediction> predictions = new ArrayList<>();
        MaskedAttentionDecoder.Prediction p = heads(out, maskFeatures, b);
        predictions.add(p);
        SDVariable mask = attentionMask(p.masks(), sizes.get(0));
        for (int i = 0; i < cfg.layers(); i++) {
            int level = i % 3;
            out = cross.get(i).forward(out, srcs.get(level), mask, poss.get(level), queryPos);
            out = self.get(i).forward(out, queryPos);
            out = ffn.get(i).forward(out);
            p = heads(out, maskFeatures, b);
            predictions.add(p);
            if (i < cfg.layers() - 1) {
                mask = attentionMask(p.masks(), sizes.get((i + 1) % 3));
            }
        }
        return predictions;
    }

    private MaskedAttentionDecoder.Prediction heads(SDVariable out, SDVariable maskFeatures, long b) {
        long[] fs = scope.shape(maskFeatures);
        long c = fs[1], h = fs[2], w = fs[3], t = frames, q = cfg.queries();
        SDVariable normed = decoderNorm.forward(out);
        SDVariable cls = classEmbed.forward(normed);
        SDVariable me = maskEmbed.forward(normed);                                                        // [B,Q,C]
        SDVariable clipFeatures = maskFeatures.reshape(b, t, c, h * w).permute(0, 2, 1, 3).reshape(b, c, t * h * w);
        SDVariable masks = scope.withShape(scope.sd().mmul(me, clipFeatures).reshape(b, q, t * h, w), b, q, t * h, w);
        if (maskShape != null || maskMoments != null) {
            SDVariable perFrame = scope.withShape(masks.reshape(b, q, t, h, w).permute(0, 2, 1, 3, 4).reshape(b * t, q, h, w), b * t, q, h, w);
            if (maskShape != null) {
                cls = scope.withShape(cls.add(frameMean(maskShape.forward(perFrame), b)), b, q, cfg.hidden());
            }
            if (maskMoments != null) {
                cls = scope.withShape(cls.add(frameMean(maskMoments.forward(perFrame), b)), b, q, cfg.hidden());
            }
        }
        return new MaskedAttentionDecoder.Prediction(masks, cls);
    }

    /** [B*T, Q, D] to the mean over each clip's frames, [B, Q, D]. */
    private SDVariable frameMean(SDVariable perFrame, long b) {
        return perFrame.reshape(b, frames, cfg.queries(), cfg.hidden()).mean(1);
    }

    /** Additive mask [B,1,Q,T*hw]: every frame's mask resized to the level, blocked where negative, no gradient. */
    private SDVariable attentionMask(SDVariable masks, long[] size) {
        SameDiff sd = scope.sd();
        long[] s = scope.shape(masks);
        long b = s[0], q = s[1], t = frames, h = s[2] / t, w = s[3], hw = size[0] * size[1];
        SDVariable perFrame = scope.withShape(masks.reshape(b, q * t, h, w), b, q * t, h, w);
        SDVariable resized = Resize.bilinear(scope, perFrame, size[0], size[1]).reshape(b, q, t * hw);
        SDVariable detached = new StopGradient(sd, resized).outputVariable();
        return MaskedAttentionDecoder.blockedWhereNegative(scope, detached, t * hw).reshape(b, 1, q, t * hw);
    }
}
