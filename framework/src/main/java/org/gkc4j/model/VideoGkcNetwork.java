package org.gkc4j.model;

import org.gkc4j.nn.GraphContext;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.ArrayList;
import java.util.List;

/**
 * The GKC network on clips, Video Mask2Former's way: the image network's trunk and pixel decoder on every frame
 * ({@link FrameEncoder}), a decoder whose queries are shared by the clip's T frames
 * ({@link VideoMaskedAttentionDecoder}) and the open-vocabulary head unchanged. Every parameter has the image
 * network's name and shape, so an image checkpoint initialises it completely and a video checkpoint also loads
 * into the image network.
 */
public final class VideoGkcNetwork implements SegmentationNetwork {
    private final GkcModelConfig cfg;
    private final FrameEncoder frames;
    private final VideoMaskedAttentionDecoder decoder;
    private final OpenVocabularyHead head;

    public VideoGkcNetwork(GraphContext ctx, GkcModelConfig cfg, int framesPerClip) {
        this.cfg = cfg;
        frames = new FrameEncoder(ctx, cfg);
        decoder = new VideoMaskedAttentionDecoder(ctx.root().child("sem_seg_head").child("predictor"), cfg.decoder(),
                cfg.pixelDecoder().maskDim(), framesPerClip);
        head = new OpenVocabularyHead(ctx.root(), cfg);
    }

    /** frames [B*T,3,H,W], a clip's frames consecutive: masks [B,Q,T*H/s,W/s] (frames stacked along the height). */
    @Override
    public GkcNetwork.Outputs forward(SDVariable clipFrames) {
        PixelDecoder.Output pd = frames.forward(clipFrames);
        List<MaskedAttentionDecoder.Prediction> preds = decoder.forward(pd.multiScale(), pd.maskFeatures());
        List<SDVariable> masks = new ArrayList<>(), cls = new ArrayList<>(), emb = new ArrayList<>();
        for (int i = 0; i < preds.size(); i++) {
            masks.add(preds.get(i).masks());
            cls.add(preds.get(i).classEmbedding());
            emb.add(head.embed(i, preds.get(i).classEmbedding()));
        }
        return new GkcNetwork.Outputs(masks, cls, emb, pd.maskFeatures());
    }

    @Override
    public OpenVocabularyHead head() {
        return head;
    }

    @Override
    public int framesPerSample() {
        return decoder.frames();
    }

    public GkcModelConfig config() {
        return cfg;
    }
}
