package org.gkc4j.clip;

import org.gkc4j.nn.Activation;
import org.gkc4j.nn.BatchNorm2d;
import org.gkc4j.nn.Conv2d;
import org.gkc4j.nn.Pooling;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.ArrayList;
import java.util.List;

/**
 * CLIP's ModifiedResNet trunk without its attention pool: a three-conv stem with average pooling (stride 4), then
 * layer1..layer4 of {@link Bottleneck}s. {@link #forward} returns the four stage outputs (res2..res5: strides 4, 8,
 * 16, 32; channels 4w, 8w, 16w, 32w).
 */
public final class ModifiedResNet {
    private final Scope scope;
    private final Conv2d conv1, conv2, conv3;
    private final BatchNorm2d bn1, bn2, bn3;
    private final List<List<Bottleneck>> layers = new ArrayList<>();
    private final int width;

    public ModifiedResNet(Scope scope, List<Integer> blocks, int width, boolean batchStatistics) {
        this.scope = scope;
        this.width = width;
        int half = width / 2;
        conv1 = new Conv2d(scope.child("conv1"), 3, half, 3, 2, 1, false);
        bn1 = new BatchNorm2d(scope.child("bn1"), half, batchStatistics);
        conv2 = new Conv2d(scope.child("conv2"), half, half, 3, 1, 1, false);
        bn2 = new BatchNorm2d(scope.child("bn2"), half, batchStatistics);
        conv3 = new Conv2d(scope.child("conv3"), half, width, 3, 1, 1, false);
        bn3 = new BatchNorm2d(scope.child("bn3"), width, batchStatistics);
        int inplanes = width;
        for (int l = 0; l < 4; l++) {
            int planes = width << l;
            List<Bottleneck> layer = new ArrayList<>();
            Scope ls = scope.child("layer" + (l + 1));
            for (int b = 0; b < blocks.get(l); b++) {
                layer.add(new Bottleneck(ls.child(b), inplanes, planes, b == 0 && l > 0 ? 2 : 1, batchStatistics));
                inplanes = planes * Bottleneck.EXPANSION;
            }
            layers.add(layer);
        }
    }

    /** NCHW image to [res2, res3, res4, res5]. */
    public List<SDVariable> forward(SDVariable image) {
        SDVariable x = Activation.RELU.apply(scope, bn1.afterConv(conv1, image));
        x = Activation.RELU.apply(scope, bn2.afterConv(conv2, x));
        x = Activation.RELU.apply(scope, bn3.afterConv(conv3, x));
        x = Pooling.avgPool(scope, x, 2);
        List<SDVariable> outs = new ArrayList<>();
        for (List<Bottleneck> layer : layers) {
            for (Bottleneck b : layer) {
                x = b.forward(x);
            }
            outs.add(x);
        }
        return outs;
    }

    /** Channels of each stage output. */
    public long[] channels() {
        return new long[]{width * 4L, width * 8L, width * 16L, width * 32L};
    }
}
