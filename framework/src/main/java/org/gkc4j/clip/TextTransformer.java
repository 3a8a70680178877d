package org.gkc4j.clip;

import org.gkc4j.nn.Activation;
import org.gkc4j.nn.Attention;
import org.gkc4j.nn.Embedding;
import org.gkc4j.nn.Init;
import org.gkc4j.nn.LayerNorm;
import org.gkc4j.nn.Linear;
import org.gkc4j.nn.MultiheadAttention;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * CLIP's text tower: token and positional embeddings, pre-LN residual attention blocks under a causal mask
 * (packed in_proj, QuickGELU MLP), ln_final, the state at the end token (the largest id in each row) projected by
 * {@code text_projection}. Output [N, E], not normalised.
 */
public final class TextTransformer {
    private final Scope scope;
    private final Embedding tokenEmbedding;
    private final SDVariable positional, projection;
    private final List<Block> blocks = new ArrayList<>();
    private final LayerNorm lnFinal;
    private final int width, context, vocab;

    private static final class Block {
        final LayerNorm ln1, ln2;
        final MultiheadAttention attn;
        final Linear fc, proj;
        final Scope scope;

        Block(Scope s, int width, int heads, int layers) {
            scope = s;
            double attnStd = Math.pow(width, -0.5), projStd = attnStd * Math.pow(2.0 * layers, -0.5), fcStd = Math.pow(2.0 * width, -0.5);
            ln1 = new LayerNorm(s.child("ln_1"), width);
            attn = new MultiheadAttention(s.child("attn"), width, heads, Init.normal(attnStd));
            ln2 = new LayerNorm(s.child("ln_2"), width);
            fc = new Linear(s.child("mlp").child("c_fc"), width, 4L * width, true, Init.normal(fcStd), Init.zeros());
            proj = new Linear(s.child("mlp").child("c_proj"), 4L * width, width, true, Init.normal(projStd), Init.zeros());
        }

        SDVariable forward(SDVariable x, SDVariable mask) {
            SDVariable h = ln1.forward(x);
            SDVariable a = attn.forward(h, h, h, mask);
            x = x.add(a);
            scope.withShape(x, scope.shape(a));
            SDVariable m = proj.forward(Activation.QUICK_GELU.apply(scope, fc.forward(ln2.forward(x))));
            SDVariable y = x.add(m);
            return scope.withShape(y, scope.shape(m));
        }
    }

    public TextTransformer(Scope root, ClipConfig cfg) {
        this.scope = root;
        this.width = cfg.transformerWidth();
        this.context = cfg.contextLength();
        this.vocab = cfg.vocabSize();
        tokenEmbedding = new Embedding(root.child("token_embedding"), vocab, width, Init.normal(0.02));
        positional = root.param("positional_embedding", Init.normal(0.01), context, width);
        Scope rb = root.child("transformer").child("resblocks");
        for (int i = 0; i < cfg.transformerLayers(); i++) {
            blocks.add(new Block(rb.child(i), width, cfg.transformerHeads(), cfg.transformerLayers()));
        }
        lnFinal = new LayerNorm(root.child("ln_final"), width);
        projection = root.param("text_projection", Init.normal(Math.pow(width, -0.5)), width, cfg.embedDim());
    }

    /** ids [N, context] (INT) to text features [N, E]. */
    public SDVariable forward(SDVariable ids) {
        SameDiff sd = scope.sd();
        long n = scope.shape(ids)[0];
        SDVariable x = tokenEmbedding.forward(ids).add(positional);
        scope.withShape(x, n, context, width);
        SDVariable mask = sd.constant(causalMask(context, scope.dtype())).reshape(1, 1, context, context);
        for (Block b : blocks) {
            x = b.forward(x, mask);
        }
        x = lnFinal.forward(x);
        // the end token has the largest id in every row: pool there
        SDVariable eot = sd.oneHot(sd.argmax(ids, 1), context).castTo(scope.dtype()).reshape(n, context, 1);
        SDVariable pooled = x.mul(eot).sum(1);
        SDVariable out = pooled.mmul(projection);
        return scope.withShape(out, n, scope.shape(projection)[1]);
    }

    static INDArray causalMask(int n, DataType type) {
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                m[i][j] = Attention.BLOCKED;
            }
        }
        return Nd4j.createFromArray(m).castTo(type);
    }
}
