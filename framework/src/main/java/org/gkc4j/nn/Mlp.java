package org.gkc4j.nn;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.ArrayList;
import java.util.List;

/**
 * Linear layers named {@code layers.0 .. layers.{n-1}} with an activation between them (not after the last), as
 * Mask2Former's mask-embedding MLP.
 */
public final class Mlp {
    private final List<Linear> layers = new ArrayList<>();
    private final Activation activation;
    private final Scope scope;

    public Mlp(Scope scope, long in, long hidden, long out, int numLayers, Activation activation) {
        this.scope = scope;
        this.activation = activation;
        Scope ls = scope.child("layers");
        for (int i = 0; i < numLayers; i++) {
            long a = i == 0 ? in : hidden;
            long b = i == numLayers - 1 ? out : hidden;
            layers.add(new Linear(ls.child(i), a, b, true));
        }
    }

    public SDVariable forward(SDVariable x) {
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(x);
            if (i < layers.size() - 1) {
                x = activation.apply(scope, x);
            }
        }
        return x;
    }
}
