package org.gkc4j.model;

import org.gkc4j.clip.ModifiedResNet;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;

/**
 * What the image and the video networks run on every frame alike: the CLIP ModifiedResNet trunk
 * ({@code backbone.*}), the pixel decoder ({@code sem_seg_head.pixel_decoder.*}) and, at mask strides below 4, the
 * mask-feature refiner. Frames are independent here; only the decoders differ.
 */
public final class FrameEncoder {
    private final ModifiedResNet backbone;
    private final PixelDecoder pixelDecoder;
    private final MaskFeatureRefiner refiner;

    public FrameEncoder(GraphContext ctx, GkcModelConfig cfg) {
        Scope root = ctx.root();
        boolean batchStats = ctx.training() && cfg.backbone().trainBatchNorm();
        backbone = new ModifiedResNet(root.child("backbone"), cfg.backbone().layers(), cfg.backbone().width(), batchStats);
        Scope head = root.child("sem_seg_head");
        pixelDecoder = switch (cfg.pixelDecoder().type()) {
            case MSDEFORMATTN -> new MsDeformAttnPixelDecoder(head.child("pixel_decoder"), cfg.pixelDecoder(), cfg.backboneChannels());
            case FPN -> new FpnPixelDecoder(head.child("pixel_decoder"), cfg.pixelDecoder(), cfg.backboneChannels());
        };
        GkcModelConfig.PixelDecoder pd = cfg.pixelDecoder();
        refiner = pd.maskStride() < 4
                ? new MaskFeatureRefiner(head.child("pixel_decoder").child("mask_refiner"), pd.maskStride(), pd.refinerChannels(), pd.maskDim(), pd.groupNormGroups())
                : null;
    }

    /** images [N,3,H,W], normalised, H and W multiples of 32: mask features at the mask stride and the three decoder levels. */
    public PixelDecoder.Output forward(SDVariable images) {
        List<SDVariable> features = backbone.forward(images);
        PixelDecoder.Output pd = pixelDecoder.forward(features);
        SDVariable maskFeatures = refiner == null ? pd.maskFeatures() : refiner.forward(images, pd.maskFeatures());
        return new PixelDecoder.Output(maskFeatures, pd.multiScale());
    }
}
