package org.gkc4j.model;

import org.gkc4j.nn.Activation;
import org.gkc4j.nn.Conv2d;
import org.gkc4j.nn.GroupNorm;
import org.gkc4j.nn.Init;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * detectron2's Conv2d with a norm and an optional activation: weight under the block's name, GroupNorm under
 * {@code .norm}, no bias when normalised (keys {@code adapter_1.weight}, {@code adapter_1.norm.weight}).
 */
final class ConvNorm {
    private final Scope scope;
    private final Conv2d conv;
    private final GroupNorm norm;
    private final Activation activation;

    ConvNorm(Scope scope, long in, long out, int kernel, int groups, Activation activation) {
        this.scope = scope;
        this.activation = activation;
        conv = new Conv2d(scope, in, out, kernel, 1, kernel / 2, 1, 1, false, Init.c2Xavier(), Init.zeros());
        norm = new GroupNorm(scope.child("norm"), groups, out);
    }

    SDVariable forward(SDVariable x) {
        return activation.apply(scope, norm.forward(conv.forward(x)));
    }
}
