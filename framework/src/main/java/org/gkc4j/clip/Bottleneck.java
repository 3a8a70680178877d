package org.gkc4j.clip;

import org.gkc4j.nn.Activation;
import org.gkc4j.nn.BatchNorm2d;
import org.gkc4j.nn.Conv2d;
import org.gkc4j.nn.Pooling;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * CLIP's anti-aliased bottleneck: 1x1, 3x3, then average pooling by the stride before the expanding 1x1; the
 * shortcut pools, then projects with a 1x1 conv and BatchNorm ({@code downsample.0/1}) when the shape changes.
 */
public final class Bottleneck {
    public static final int EXPANSION = 4;
    private final Scope scope;
    private final Conv2d conv1, conv2, conv3, downConv;
    private final BatchNorm2d bn1, bn2, bn3, downBn;
    private final int stride;

    public Bottleneck(Scope scope, int inplanes, int planes, int stride, boolean batchStatistics) {
        this.scope = scope;
        this.stride = stride;
        conv1 = new Conv2d(scope.child("conv1"), inplanes, planes, 1, 1, 0, false);
        bn1 = new BatchNorm2d(scope.child("bn1"), planes, batchStatistics);
        conv2 = new Conv2d(scope.child("conv2"), planes, planes, 3, 1, 1, false);
        bn2 = new BatchNorm2d(scope.child("bn2"), planes, batchStatistics);
        conv3 = new Conv2d(scope.child("conv3"), planes, (long) planes * EXPANSION, 1, 1, 0, false);
        bn3 = new BatchNorm2d(scope.child("bn3"), (long) planes * EXPANSION, batchStatistics);
        if (stride > 1 || inplanes != planes * EXPANSION) {
            Scope d = scope.child("downsample");
            downConv = new Conv2d(d.child("0"), inplanes, (long) planes * EXPANSION, 1, 1, 0, false);
            downBn = new BatchNorm2d(d.child("1"), (long) planes * EXPANSION, batchStatistics);
        } else {
            downConv = null;
            downBn = null;
        }
    }

    public SDVariable forward(SDVariable x) {
        SDVariable out = Activation.RELU.apply(scope, bn1.afterConv(conv1, x));
        out = Activation.RELU.apply(scope, bn2.afterConv(conv2, out));
        out = Pooling.avgPool(scope, out, stride);
        out = bn3.afterConv(conv3, out);
        SDVariable identity = x;
        if (downConv != null) {
            identity = downBn.afterConv(downConv, Pooling.avgPool(scope, x, stride));
        }
        SDVariable sum = out.add(identity);
        scope.withShape(sum, scope.shape(out));
        return Activation.RELU.apply(scope, sum);
    }
}
