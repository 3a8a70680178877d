package org.gkc4j.model;

import org.gkc4j.nn.Activation;
import org.gkc4j.nn.Conv2d;
import org.gkc4j.nn.GroupNorm;
import org.gkc4j.nn.Init;
import org.gkc4j.nn.Resize;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.ArrayList;
import java.util.List;

/**
 * Mask2Former's MSDeformAttnPixelDecoder: res5, res4, res3 projected (1x1 conv + GN) and refined jointly by a
 * deformable transformer encoder with sine positions and level embeddings; one FPN step adds res2 (lateral
 * {@code adapter_1}, bilinear upsampling, {@code layer_1}); {@code mask_features} is a 1x1 conv on the result.
 */
public final class MsDeformAttnPixelDecoder implements PixelDecoder {
    private final Scope scope;
    private final List<Conv2d> projConvs = new ArrayList<>();
    private final List<GroupNorm> projNorms = new ArrayList<>();
    private final SDVariable levelEmbed;
    private final List<MsDeformEncoderLayer> layers = new ArrayList<>();
    private final ConvNorm adapter, output;
    private final Conv2d maskFeatures;
    private final int dim;

    public MsDeformAttnPixelDecoder(Scope scope, GkcModelConfig.PixelDecoder cfg, long[] inChannels) {
        this.scope = scope;
        this.dim = cfg.convDim();
        Scope ip = scope.child("input_proj");
        // input_proj.0 is res5, .1 res4, .2 res3
        for (int i = 0; i < 3; i++) {
            Scope s = ip.child(i);
            projConvs.add(new Conv2d(s.child("0"), inChannels[3 - i], dim, 1, 1, 0, 1, 1, true, Init.xavierUniform(1), Init.zeros()));
            projNorms.add(new GroupNorm(s.child("1"), cfg.groupNormGroups(), dim));
        }
        Scope t = scope.child("transformer");
        levelEmbed = t.param("level_embed", Init.normal(1), 3, dim);
        Scope enc = t.child("encoder").child("layers");
        for (int i = 0; i < cfg.encoderLayers(); i++) {
            layers.add(new MsDeformEncoderLayer(enc.child(i), dim, cfg.encoderFfnDim(), cfg.heads(), 3, cfg.points()));
        }
        maskFeatures = new Conv2d(scope.child("mask_features"), dim, cfg.maskDim(), 1, 1, 0, 1, 1, true, Init.c2Xavier(), Init.zeros());
        adapter = new ConvNorm(scope.child("adapter_1"), inChannels[0], dim, 1, cfg.groupNormGroups(), Activation.NONE);
        output = new ConvNorm(scope.child("layer_1"), dim, dim, 3, cfg.groupNormGroups(), Activation.RELU);
    }

    @Override
    public Output forward(List<SDVariable> features) {
        SameDiff sd = scope.sd();
        long n = scope.shape(features.get(0))[0];
        List<SDVariable> srcs = new ArrayList<>(), poss = new ArrayList<>();
        long[][] shapes = new long[3][];
        long total = 0;
        for (int i = 0; i < 3; i++) {
            SDVariable x = features.get(3 - i);
            long[] s = scope.shape(x);
            shapes[i] = new long[]{s[2], s[3]};
            total += s[2] * s[3];
            SDVariable p = projNorms.get(i).forward(projConvs.get(i).forward(x));
            srcs.add(p.reshape(n, dim, s[2] * s[3]).permute(0, 2, 1));
            SDVariable pos = sd.constant(PositionEmbeddingSine.encode(dim / 2, s[2], s[3], scope.dtype())).reshape(1, dim, s[2] * s[3]).permute(0, 2, 1);
            poss.add(pos.add(levelEmbed.get(SDIndex.point(i)).reshape(1, 1, dim)));
        }
        SDVariable src = sd.concat(1, srcs.toArray(new SDVariable[0]));
        SDVariable pos = sd.concat(1, poss.toArray(new SDVariable[0]));
        scope.withShape(src, n, total, dim);
        scope.withShape(pos, 1, total, dim);
        for (MsDeformEncoderLayer layer : layers) {
            src = layer.forward(src, pos, shapes);
        }
        List<SDVariable> multiScale = new ArrayList<>();
        long start = 0;
        for (int i = 0; i < 3; i++) {
            long hw = shapes[i][0] * shapes[i][1];
            SDVariable m = src.get(SDIndex.all(), SDIndex.interval(start, start + hw), SDIndex.all()).permute(0, 2, 1)
                    .reshape(n, dim, shapes[i][0], shapes[i][1]);
            multiScale.add(scope.withShape(m, n, dim, shapes[i][0], shapes[i][1]));
            start += hw;
        }
        SDVariable res2 = features.get(0);
        long[] s2 = scope.shape(res2);
        SDVariable lateral = adapter.forward(res2);
        SDVariable up = Resize.bilinear(scope, multiScale.get(2), s2[2], s2[3]);
        SDVariable y = output.forward(scope.withShape(lateral.add(up), n, dim, s2[2], s2[3]));
        return new Output(maskFeatures.forward(y), multiScale);
    }
}
