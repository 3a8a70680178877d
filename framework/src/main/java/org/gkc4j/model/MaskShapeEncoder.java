package org.gkc4j.model;

import org.gkc4j.nn.Activation;
import org.gkc4j.nn.Conv2d;
import org.gkc4j.nn.Linear;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * An addition to the paper's decoder (off unless {@code decoder.maskShapeChannels > 0}): each query's own predicted
 * mask, read by a small CNN, is added to its class embedding. A Mask2Former query pools features under its mask
 * with masked attention, so nothing in its class embedding sees the mask's outline; in the synthetic world, where
 * things of one colour differ only by outline, that is what it gets wrong (docs/demo-results.md). Three 3x3
 * convolutions (stride 1, 2, 2) over sigmoid(mask), ReLU, a global max (wherever the object is) and a Linear into
 * the decoder width. The masks enter without gradient, so the class losses cannot reshape them.
 */
public final class MaskShapeEncoder {
    private final Scope scope;
    private final Conv2d conv1, conv2, conv3;
    private final Linear proj;
    private final int channels;

    public MaskShapeEncoder(Scope scope, int channels, int hidden) {
        this.scope = scope;
        this.channels = channels;
        conv1 = new Conv2d(scope.child("conv1"), 1, channels, 3, 1, 1, true);
        conv2 = new Conv2d(scope.child("conv2"), channels, 2L * channels, 3, 2, 1, true);
        conv3 = new Conv2d(scope.child("conv3"), 2L * channels, 2L * channels, 3, 2, 1, true);
        proj = new Linear(scope.child("proj"), 2L * channels, hidden, true);
    }

    /** masks [B,Q,H,W] (logits) to [B,Q,hidden]. */
    public SDVariable forward(SDVariable masks) {
        long[] s = scope.shape(masks);
        long b = s[0], q = s[1], h = s[2], w = s[3];
        SDVariable m = scope.sd().nn().sigmoid(new StopGradient(scope.sd(), masks).outputVariable());
        SDVariable x = scope.withShape(m.reshape(b * q, 1, h, w), b * q, 1, h, w);
        x = Activation.RELU.apply(scope, conv1.forward(x));
        x = Activation.RELU.apply(scope, conv2.forward(x));
        x = Activation.RELU.apply(scope, conv3.forward(x));
        SDVariable pooled = scope.withShape(x.max(false, 2, 3), b * q, 2L * channels);
        SDVariable y = proj.forward(pooled).reshape(b, q, proj.out);
        return scope.withShape(y, b, q, proj.out);
    }
}
