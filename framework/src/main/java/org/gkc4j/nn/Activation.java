package org.gkc4j.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** Element-wise activations; each keeps its input's shape. */
public enum Activation {
    NONE, RELU,
    /** x * sigmoid(1.702 x), CLIP's activation (M2.1's {@code gelu} is exactly this). */
    QUICK_GELU,
    /** The exact erf form, 0.5 x (1 + erf(x / sqrt 2)), PyTorch's default GELU. */
    GELU;

    public SDVariable apply(SameDiff sd, SDVariable x) {
        return switch (this) {
            case NONE -> x;
            case RELU -> sd.nn().relu(x, 0);
            case QUICK_GELU -> x.mul(sd.nn().sigmoid(x.mul(1.702)));
            case GELU -> x.mul(sd.math().erf(x.mul(1.0 / Math.sqrt(2.0))).add(1.0)).mul(0.5);
        };
    }

    public SDVariable apply(Scope s, SDVariable x) {
        SDVariable y = apply(s.sd(), x);
        return s.withShape(y, s.shape(x));
    }
}
