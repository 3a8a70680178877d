package org.gkc4j.model;

import java.util.List;

/**
 * The sizes of a GKC network. Defaults are the paper's (CLIP RN50 trunk, MSDeformAttn pixel decoder with 6 layers,
 * 9 masked-attention decoder layers, 100 queries, 1024-d CLIP text space): about 44 M parameters at inference.
 */
public record GkcModelConfig(Backbone backbone, PixelDecoder pixelDecoder, Decoder decoder, Head head) {

    /** CLIP ModifiedResNet trunk (attention pool dropped). */
    public record Backbone(List<Integer> layers, int width, boolean trainBatchNorm) {
        public static Backbone defaults() {
            return new Backbone(List.of(3, 4, 6, 3), 64, true);
        }
    }

    public enum PixelDecoderType { MSDEFORMATTN, FPN }

    /**
     * Mask2Former's pixel decoder. {@code encoderFfnDim} and {@code points} are fixed at 1024 and 4 in the authors'
     * code whatever their config says; they are exposed here for small models. {@code maskStride} 4 is the paper's
     * mask resolution; 2 or 1 adds a {@link MaskFeatureRefiner} of width {@code refinerChannels} (not in the paper).
     */
    public record PixelDecoder(PixelDecoderType type, int convDim, int maskDim, int encoderLayers, int heads, int points,
                               int encoderFfnDim, int groupNormGroups, int maskStride, int refinerChannels) {
        public PixelDecoder {
            if (maskStride != 1 && maskStride != 2 && maskStride != 4) {
                throw new IllegalArgumentException("model.pixelDecoder.maskStride must be 4 (the paper's), 2 or 1, not " + maskStride);
            }
        }

        public static PixelDecoder defaults() {
            return new PixelDecoder(PixelDecoderType.MSDEFORMATTN, 256, 256, 6, 8, 4, 1024, 32, 4, 32);
        }
    }

    /**
     * The masked-attention transformer decoder (post-norm layers, as Mask2Former's); {@code decLayers} counts prediction
     * sets (layers + 1), as detectron2.
     * {@code maskShapeChannels} > 0 adds a {@link MaskShapeEncoder} of that width, {@code maskMomentChannels} > 0 a
     * {@link MaskMomentEncoder} (neither is in the paper; 0 is its decoder).
     */
    public record Decoder(int hidden, int queries, int heads, int ffnDim, int decLayers, int maskShapeChannels, int maskMomentChannels) {
        public static Decoder defaults() {
            return new Decoder(256, 100, 8, 2048, 10, 0, 0);
        }

        public int layers() {
            return decLayers - 1;
        }
    }

    /**
     * The open-vocabulary classifier: ReLU + Linear into the CLIP text space, cosine logits scaled by exp(logit_scale)
     * (learnable unless {@code learnedTemperature} is false, then fixed at 10), a learned void embedding.
     */
    public record Head(int embedDim, double logitScaleInit, boolean learnedTemperature, double voidInitStd) {
        public static Head defaults() {
            return new Head(1024, Math.log(1 / 0.07), true, Math.pow(512, -0.5));
        }
    }

    public static GkcModelConfig defaults() {
        return new GkcModelConfig(Backbone.defaults(), PixelDecoder.defaults(), Decoder.defaults(), Head.defaults());
    }

    /** Channels of res2..res5. */
    public long[] backboneChannels() {
        int w = backbone.width();
        return new long[]{4L * w, 8L * w, 16L * w, 32L * w};
    }
}
