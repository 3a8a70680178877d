package org.gkc4j.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/** A naming prefix inside a {@link GraphContext}: {@code scope.child("layer1").child("0")} names "layer1.0.*". */
public final class Scope {
    private final GraphContext ctx;
    private final String prefix;

    Scope(GraphContext ctx, String prefix) {
        this.ctx = ctx;
        this.prefix = prefix;
    }

    public Scope child(String name) {
        return new Scope(ctx, key(name));
    }

    public Scope child(int index) {
        return child(Integer.toString(index));
    }

    /** The full checkpoint key of a leaf name under this scope. */
    public String key(String leaf) {
        return prefix.isEmpty() ? leaf : prefix + "." + leaf;
    }

    public String prefix() {
        return prefix;
    }

    /** A parameter (trainable unless the context freezes it), loaded from the weights or freshly initialised. */
    public SDVariable param(String leaf, Init init, long... shape) {
        return ctx.create(key(leaf), init, shape, false, Layout.SAME);
    }

    /** A parameter stored in the graph in another layout than its checkpoint's ({@code shape} is the checkpoint's). */
    public SDVariable param(String leaf, Init init, Layout layout, long... shape) {
        return ctx.create(key(leaf), init, shape, false, layout);
    }

    /** Non-trainable state that belongs in the checkpoint (e.g. BatchNorm running statistics). */
    public SDVariable buffer(String leaf, Init init, long... shape) {
        return ctx.create(key(leaf), init, shape, true, Layout.SAME);
    }

    /** Parameters that weight decay skips (norms, embeddings). */
    public void noWeightDecay(SDVariable... params) {
        for (SDVariable v : params) {
            ctx.excludeFromWeightDecay(v.name());
        }
    }

    /** A unique name for an intermediate result under this scope (not a checkpoint key). */
    public String op(String leaf) {
        return ctx.sd().generateNewVarName(key(leaf), 0);
    }

    public long[] shape(SDVariable v) {
        return ctx.shape(v);
    }

    public SDVariable withShape(SDVariable v, long... shape) {
        return ctx.withShape(v, shape);
    }

    public SameDiff sd() {
        return ctx.sd();
    }

    public DataType dtype() {
        return ctx.dtype();
    }

    public GraphContext context() {
        return ctx;
    }
}
