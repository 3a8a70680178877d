package org.gkc4j.model;

import org.gkc4j.nn.Activation;
import org.gkc4j.nn.Conv2d;
import org.gkc4j.nn.Init;
import org.gkc4j.nn.Resize;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.ArrayList;
import java.util.List;

/**
 * MaskFormer's BasePixelDecoder, a plain FPN (the config alternative to the deformable encoder): a 3x3 conv on
 * res5 ({@code layer_4}), then for res4..res2 a lateral 1x1 ({@code adapter_i}) plus the nearest-upsampled coarser
 * map and a 3x3 conv ({@code layer_i}); {@code mask_features} is a 3x3 conv on the finest map.
 */
public final class FpnPixelDecoder implements PixelDecoder {
    private final Scope scope;
    private final ConvNorm[] laterals = new ConvNorm[4];
    private final ConvNorm[] outputs = new ConvNorm[4];
    private final Conv2d maskFeatures;
    private final int dim;

    public FpnPixelDecoder(Scope scope, GkcModelConfig.PixelDecoder cfg, long[] inChannels) {
        this.scope = scope;
        this.dim = cfg.convDim();
        for (int i = 0; i < 4; i++) {
            if (i < 3) {
                laterals[i] = new ConvNorm(scope.child("adapter_" + (i + 1)), inChannels[i], dim, 1, cfg.groupNormGroups(), Activation.NONE);
                outputs[i] = new ConvNorm(scope.child("layer_" + (i + 1)), dim, dim, 3, cfg.groupNormGroups(), Activation.RELU);
            } else {
                outputs[i] = new ConvNorm(scope.child("layer_" + (i + 1)), inChannels[i], dim, 3, cfg.groupNormGroups(), Activation.RELU);
            }
        }
        maskFeatures = new Conv2d(scope.child("mask_features"), dim, cfg.maskDim(), 3, 1, 1, 1, 1, true, Init.c2Xavier(), Init.zeros());
    }

    @Override
    public Output forward(List<SDVariable> features) {
        List<SDVariable> multiScale = new ArrayList<>();
        SDVariable y = outputs[3].forward(features.get(3));
        multiScale.add(y);
        for (int i = 2; i >= 0; i--) {
            SDVariable lat = laterals[i].forward(features.get(i));
            long[] s = scope.shape(lat);
            SDVariable sum = lat.add(Resize.nearest(scope, y, s[2], s[3]));
            y = outputs[i].forward(scope.withShape(sum, s));
            if (multiScale.size() < 3) {
                multiScale.add(y);
            }
        }
        return new Output(maskFeatures.forward(y), multiScale);
    }
}
