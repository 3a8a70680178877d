package org.gkc4j.model;

import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.ArrayList;
import java.util.List;

/**
 * The GKC segmentation network: CLIP ModifiedResNet trunk ({@code backbone.*}), pixel decoder
 * ({@code sem_seg_head.pixel_decoder.*}), masked-attention decoder ({@code sem_seg_head.predictor.*}) and the
 * open-vocabulary head. Variables carry the authors' checkpoint names, so their weights import by name.
 */
public final class GkcNetwork implements SegmentationNetwork {
    /** Everything the criterion and inference read, per prediction set (the learnable queries' first, the last layer's last). */
    public record Outputs(List<SDVariable> masks, List<SDVariable> classEmbeddings, List<SDVariable> embeddings,
                          SDVariable maskFeatures) {
        public int sets() {
            return masks.size();
        }
    }

    /** Parameters a training criterion adds to checkpoints that inference does not use (distillation projections). */
    public static boolean trainingOnly(String key) {
        return key.startsWith("kd_proj.") || key.startsWith("aux_kd_porj_") || key.equals("text_kd_logit_scale");
    }

    private final GkcModelConfig cfg;
    private final FrameEncoder frames;
    private final MaskedAttentionDecoder decoder;
    private final OpenVocabularyHead head;

    public GkcNetwork(GraphContext ctx, GkcModelConfig cfg) {
        this.cfg = cfg;
        Scope root = ctx.root();
        frames = new FrameEncoder(ctx, cfg);
        decoder = new MaskedAttentionDecoder(root.child("sem_seg_head").child("predictor"), cfg.decoder(), cfg.pixelDecoder().maskDim());
        this.head = new OpenVocabularyHead(root, cfg);
    }

    /** images [B,3,H,W], normalised, H and W multiples of 32. */
    @Override
    public Outputs forward(SDVariable images) {
        PixelDecoder.Output pd = frames.forward(images);
        SDVariable maskFeatures = pd.maskFeatures();
        List<MaskedAttentionDecoder.Prediction> preds = decoder.forward(pd.multiScale(), maskFeatures);
        List<SDVariable> masks = new ArrayList<>(), cls = new ArrayList<>(), emb = new ArrayList<>();
        for (int i = 0; i < preds.size(); i++) {
            masks.add(preds.get(i).masks());
            cls.add(preds.get(i).classEmbedding());
            emb.add(head.embed(i, preds.get(i).classEmbedding()));
        }
        return new Outputs(masks, cls, emb, maskFeatures);
    }

    @Override
    public OpenVocabularyHead head() {
        return head;
    }

    public GkcModelConfig config() {
        return cfg;
    }
}
