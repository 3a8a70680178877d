package org.gkc4j.model;

import org.gkc4j.nn.Activation;
import org.gkc4j.nn.Init;
import org.gkc4j.nn.Linear;
import org.gkc4j.nn.Scope;
import org.gkc4j.nn.loss.Losses;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.ArrayList;
import java.util.List;

/**
 * GKC's classifier: each prediction set's class embedding goes through ReLU + Linear into the CLIP text space
 * ({@code embed_proj.1} for the final set, {@code aux_embed_porj_i.1} for the others, the authors' spelling);
 * logits are exp(logit_scale) times the cosine against the normalised text embeddings plus a learned void
 * embedding (last column).
 */
public final class OpenVocabularyHead {
    private final Scope scope;
    private final List<Linear> projections = new ArrayList<>();
    private final SDVariable voidEmbedding, logitScale;
    private final int embedDim;

    public OpenVocabularyHead(Scope root, GkcModelConfig cfg) {
        this.scope = root;
        this.embedDim = cfg.head().embedDim();
        int sets = cfg.decoder().decLayers();
        int d = cfg.decoder().hidden();
        for (int i = 0; i < sets - 1; i++) {
            projections.add(new Linear(root.child("aux_embed_porj_" + i).child("1"), d, embedDim, true));
        }
        projections.add(new Linear(root.child("embed_proj").child("1"), d, embedDim, true));
        voidEmbedding = root.param("non_object_embedding", Init.normal(cfg.head().voidInitStd()), 1, embedDim);
        double init = cfg.head().learnedTemperature() ? cfg.head().logitScaleInit() : Math.log(10);
        logitScale = cfg.head().learnedTemperature() ? root.param("logit_scale", Init.constant(init))
                : root.buffer("logit_scale", Init.constant(init));
    }

    /** The projected embedding [B,Q,E] (not normalised) of prediction set {@code index}. */
    public SDVariable embed(int index, SDVariable classEmbedding) {
        return projections.get(index).forward(Activation.RELU.apply(scope, classEmbedding));
    }

    /** Normalised text embeddings [K,E] with the normalised void row appended: [K+1, E]. */
    public SDVariable classifier(SDVariable textFeatures) {
        SameDiff sd = scope.sd();
        SDVariable t = Losses.l2Normalize(sd, textFeatures, 1);
        SDVariable v = Losses.l2Normalize(sd, voidEmbedding, 1);
        return sd.concat(0, t, v);
    }

    /** Logits [B,Q,K+1] of embeddings [B,Q,E] against a shared classifier [K+1,E]. */
    public SDVariable logits(SDVariable embedding, SDVariable classifier, long classes) {
        long[] s = scope.shape(embedding);
        SameDiff sd = scope.sd();
        SDVariable v = Losses.l2Normalize(sd, embedding.reshape(s[0] * s[1], s[2]), 1);
        SDVariable l = sd.mmul(v, classifier, false, true, false).mul(sd.math().exp(logitScale)).reshape(s[0], s[1], classes);
        return scope.withShape(l, s[0], s[1], classes);
    }

    /** Logits [B,Q,K+1] against per-image classifiers [B,K+1,E] (per-image vocabularies). */
    public SDVariable logitsPerImage(SDVariable embedding, SDVariable classifiers, long classes) {
        long[] s = scope.shape(embedding);
        SameDiff sd = scope.sd();
        SDVariable v = Losses.l2Normalize(sd, embedding, 2);
        SDVariable l = sd.mmul(v, classifiers, false, true, false).mul(sd.math().exp(logitScale));
        return scope.withShape(l, s[0], s[1], classes);
    }

    /** Normalises per-image text embeddings [B,K,E] and appends the void row: [B,K+1,E]. */
    public SDVariable classifiersPerImage(SDVariable textFeatures, long batch) {
        SameDiff sd = scope.sd();
        SDVariable t = Losses.l2Normalize(sd, textFeatures, 2);
        SDVariable v = sd.tile(Losses.l2Normalize(sd, voidEmbedding, 1).reshape(1, 1, embedDim), (int) batch, 1, 1);
        return sd.concat(1, t, v);
    }

    public SDVariable logitScale() {
        return logitScale;
    }

    public int embedDim() {
        return embedDim;
    }
}
