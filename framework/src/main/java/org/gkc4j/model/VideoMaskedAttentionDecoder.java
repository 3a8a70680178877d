package org.gkc4j.model;

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
    private final MaskedAttentionLayers layers;

    public VideoMaskedAttentionDecoder(Scope scope, GkcModelConfig.Decoder cfg, int maskDim, int frames) {
        if (frames < 1) {
            throw new IllegalArgumentException("a clip has at least one frame, not " + frames);
        }
        this.scope = scope;
        this.cfg = cfg;
        this.frames = frames;
        this.layers = new MaskedAttentionLayers(scope, cfg, maskDim);
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
        int d = cfg.hidden();
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
                    .add(layers.levelEmbed.get(SDIndex.point(l)).reshape(1, 1, d));
            srcs.add(scope.withShape(src, b, t * hw, d));
            SDVariable pos = sd.constant(PositionEmbeddingSine3d.encode(d / 2, t, s[2], s[3], scope.dtype())).reshape(1, d, t * hw).permute(0, 2, 1);
            poss.add(pos);
        }
        return layers.run(b, srcs, poss, sizes, out -> heads(out, maskFeatures, b), this::attentionMask);
    }

    private MaskedAttentionDecoder.Prediction heads(SDVariable out, SDVariable maskFeatures, long b) {
        long[] fs = scope.shape(maskFeatures);
        long c = fs[1], h = fs[2], w = fs[3], t = frames, q = cfg.queries();
        SDVariable normed = layers.decoderNorm.forward(out);
        SDVariable cls = layers.classEmbed.forward(normed);
        SDVariable me = layers.maskEmbed.forward(normed);                                                 // [B,Q,C]
        SDVariable clipFeatures = maskFeatures.reshape(b, t, c, h * w).permute(0, 2, 1, 3).reshape(b, c, t * h * w);
        SDVariable masks = scope.withShape(scope.sd().mmul(me, clipFeatures).reshape(b, q, t * h, w), b, q, t * h, w);
        if (layers.maskShape != null || layers.maskMoments != null) {
            SDVariable perFrame = scope.withShape(masks.reshape(b, q, t, h, w).permute(0, 2, 1, 3, 4).reshape(b * t, q, h, w), b * t, q, h, w);
            if (layers.maskShape != null) {
                cls = scope.withShape(cls.add(frameMean(layers.maskShape.forward(perFrame), b)), b, q, cfg.hidden());
            }
            if (layers.maskMoments != null) {
                cls = scope.withShape(cls.add(frameMean(layers.maskMoments.forward(perFrame), b)), b, q, cfg.hidden());
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
