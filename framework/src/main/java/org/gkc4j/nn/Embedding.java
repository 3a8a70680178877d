package org.gkc4j.nn;

import org.gkc4j.nn.fix.GatherWithGradient;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;

/** A lookup table {@code weight} [num, dim]; its gradient works through {@link GatherWithGradient}. */
public final class Embedding {
    private final Scope scope;
    private final SDVariable weight;
    private final long dim;

    public Embedding(Scope scope, long num, long dim, Init init) {
        this.scope = scope;
        this.dim = dim;
        this.weight = scope.param("weight", init, num, dim);
    }

    /** ids [B, L] (integers) to [B, L, dim]. */
    public SDVariable forward(SDVariable ids) {
        long[] s = scope.shape(ids);
        long n = 1;
        for (long d : s) {
            n *= d;
        }
        SDVariable rows = new GatherWithGradient(scope.sd(), weight, ids.reshape(n).castTo(DataType.INT)).outputVariable();
        long[] os = java.util.Arrays.copyOf(s, s.length + 1);
        os[s.length] = dim;
        return scope.withShape(rows.reshape(os), os);
    }

    public SDVariable weight() {
        return weight;
    }
}
