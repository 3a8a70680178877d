package org.gkc4j.model;

import org.gkc4j.nn.Activation;
import org.gkc4j.nn.Init;
import org.gkc4j.nn.LayerNorm;
import org.gkc4j.nn.Linear;
import org.gkc4j.nn.Mlp;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The parameters of Mask2Former's masked-attention decoder and its layer loop, shared by the image decoder and the
 * video one: the same parameters under the same names (so an image checkpoint loads into the video decoder) and the
 * same order of cross-attention, self-attention and FFN. The two differ only in their memory, their prediction heads
 * and their attention masks, which they pass in.
 */
final class MaskedAttentionLayers {
    private final Scope scope;
    private final GkcModelConfig.Decoder cfg;
    final SDVariable queryFeat, queryEmbed, levelEmbed;
    private final List<DecoderLayers.CrossAttention> cross = new ArrayList<>();
    private final List<DecoderLayers.SelfAttention> self = new ArrayList<>();
    private final List<DecoderLayers.Ffn> ffn = new ArrayList<>();
    final LayerNorm decoderNorm;
    final Linear classEmbed;
    final Mlp maskEmbed;
    /** The optional class-embedding encoders of a prediction's masks; null when the config has none. */
    final MaskShapeEncoder maskShape;
    final MaskMomentEncoder maskMoments;

    MaskedAttentionLayers(Scope scope, GkcModelConfig.Decoder cfg, int maskDim) {
        this.scope = scope;
        this.cfg = cfg;
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
        scope.noWeightDecay(queryFeat, queryEmbed, levelEmbed);   // nn.Embedding weights: no decay, as detectron2
        classEmbed = new Linear(scope.child("class_embed"), d, d, true);
        maskEmbed = new Mlp(scope.child("mask_embed"), d, d, maskDim, 3, Activation.RELU);
        maskShape = cfg.maskShapeChannels() > 0 ? new MaskShapeEncoder(scope.child("mask_shape"), cfg.maskShapeChannels(), d) : null;
        maskMoments = cfg.maskMomentChannels() > 0 ? new MaskMomentEncoder(scope.child("mask_moments"), cfg.maskMomentChannels(), d) : null;
    }

    /**
     * The learnable queries of b items through the layers, levels cycling: a prediction from the queries and after
     * every layer, each (but the last) giving the next layer's attention mask at the next level's size.
     *
     * @param srcs  memory of each level [b, keys, D] (level embedding added)
     * @param poss  position encoding of each level [1, keys, D]
     * @param sizes each level's (h, w), the size the attention mask is resized to
     */
    List<MaskedAttentionDecoder.Prediction> run(long b, List<SDVariable> srcs, List<SDVariable> poss, List<long[]> sizes,
                                                Function<SDVariable, MaskedAttentionDecoder.Prediction> heads,
                                                BiFunction<SDVariable, long[], SDVariable> attentionMask) {
        int d = cfg.hidden(), q = cfg.queries();
        SDVariable queryPos = queryEmbed.reshape(1, q, d);
        SDVariable out = scope.withShape(scope.sd().tile(queryFeat.reshape(1, q, d), (int) b, 1, 1), b, q, d);
        List<MaskedAttentionDecoder.Prediction> predictions = new ArrayList<>();
        MaskedAttentionDecoder.Prediction p = heads.apply(out);
        predictions.add(p);
        SDVariable mask = attentionMask.apply(p.masks(), sizes.get(0));
        for (int i = 0; i < cfg.layers(); i++) {
            int level = i % 3;
            out = cross.get(i).forward(out, srcs.get(level), mask, poss.get(level), queryPos);
            out = self.get(i).forward(out, queryPos);
            out = ffn.get(i).forward(out);
            p = heads.apply(out);
            predictions.add(p);
            if (i < cfg.layers() - 1) {
                mask = attentionMask.apply(p.masks(), sizes.get((i + 1) % 3));
            }
        }
        return predictions;
    }
}
