package org.gkc4j.clip;

import org.gkc4j.nn.Attention;
import org.gkc4j.nn.Init;
import org.gkc4j.nn.Linear;
import org.gkc4j.nn.Resize;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * CLIP's attention pool over the res5 map: tokens are the mean and each position, plus a learned positional
 * embedding (bilinearly resized for other grid sizes); separate q/k/v projections and {@code c_proj}.
 * <ul>
 * <li>{@link #forward}: OpenAI's mode, the mean token is the only query: the image embedding [N, E].</li>
 * <li>{@link #forwardDense}: GKC's teacher mode, every token queries: the same global vector plus a dense
 * [N, E, H, W] map.</li>
 * </ul>
 */
public final class AttentionPool2d {
    private final Scope scope;
    private final SDVariable positional;
    private final Linear q, k, v, c;
    private final int heads;
    private final long embed;
    private final int grid;

    public record Dense(SDVariable global, SDVariable map) {
    }

    public AttentionPool2d(Scope scope, int grid, long embed, int heads, long outDim) {
        this.scope = scope;
        this.grid = grid;
        this.embed = embed;
        this.heads = heads;
        this.positional = scope.param("positional_embedding", Init.normal(1.0 / Math.sqrt(embed)), (long) grid * grid + 1, embed);
        k = new Linear(scope.child("k_proj"), embed, embed, true);
        q = new Linear(scope.child("q_proj"), embed, embed, true);
        v = new Linear(scope.child("v_proj"), embed, embed, true);
        c = new Linear(scope.child("c_proj"), embed, outDim, true);
    }

    public SDVariable forward(SDVariable res5) {
        return attend(res5, false).global();
    }

    public Dense forwardDense(SDVariable res5) {
        return attend(res5, true);
    }

    private Dense attend(SDVariable x, boolean dense) {
        SameDiff sd = scope.sd();
        long[] s = scope.shape(x);
        long n = s[0], h = s[2], w = s[3], hw = h * w, t = hw + 1, dh = embed / heads;
        SDVariable tokens = x.reshape(n, embed, hw).permute(0, 2, 1);              // [N, HW, C]
        SDVariable mean = tokens.mean(true, 1);                                      // [N, 1, C]
        SDVariable seq = sd.concat(1, mean, tokens).add(positionalFor(h, w).reshape(1, t, embed));
        scope.withShape(seq, n, t, embed);
        SDVariable query = dense ? seq : seq.get(SDIndex.all(), SDIndex.interval(0, 1), SDIndex.all());
        long lq = dense ? t : 1;
        scope.withShape(query, n, lq, embed);
        SDVariable qh = q.forward(query).reshape(n, lq, heads, dh).permute(0, 2, 1, 3);
        SDVariable kh = k.forward(seq).reshape(n, t, heads, dh).permute(0, 2, 1, 3);
        SDVariable vh = v.forward(seq).reshape(n, t, heads, dh).permute(0, 2, 1, 3);
        SDVariable o = Attention.scaledDotProduct(sd, qh, kh, vh, null, dh).permute(0, 2, 1, 3).reshape(n, lq, embed);
        scope.withShape(o, n, lq, embed);
        SDVariable out = c.forward(o);                                               // [N, Lq, E]
        long outDim = scope.shape(out)[2];
        SDVariable global = out.get(SDIndex.all(), SDIndex.point(0), SDIndex.all());
        scope.withShape(global, n, outDim);
        if (!dense) {
            return new Dense(global, null);
        }
        SDVariable map = out.get(SDIndex.all(), SDIndex.interval(1L, t), SDIndex.all()).permute(0, 2, 1).reshape(n, outDim, h, w);
        scope.withShape(map, n, outDim, h, w);
        return new Dense(global, map);
    }

    /** [1 + H*W, C]: the class row, then the spatial rows resized from the trained grid when H x W differs. */
    private SDVariable positionalFor(long h, long w) {
        if (h == grid && w == grid) {
            return positional;
        }
        SDVariable cls = positional.get(SDIndex.interval(0, 1), SDIndex.all());
        SDVariable spatial = positional.get(SDIndex.interval(1L, (long) grid * grid + 1), SDIndex.all())
                .reshape(1, grid, grid, embed).permute(0, 3, 1, 2);
        scope.withShape(spatial, 1, embed, grid, grid);
        SDVariable resized = Resize.bilinear(scope, spatial, h, w).permute(0, 2, 3, 1).reshape(h * w, embed);
        return scope.sd().concat(0, cls, resized);
    }
}
