package org.gkc4j.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;

/** Pooling on NCHW maps with PyTorch's floor-mode output size and no padding. */
public final class Pooling {
    private Pooling() {
    }

    /** AvgPool2d(k, stride=k); k = 1 is the identity. */
    public static SDVariable avgPool(Scope scope, SDVariable x, int k) {
        if (k == 1) {
            return x;
        }
        long[] s = scope.shape(x);
        Pooling2DConfig cfg = Pooling2DConfig.builder().kH(k).kW(k).sH(k).sW(k).pH(0).pW(0)
                .paddingMode(PaddingMode.VALID).isNHWC(false).build();
        SDVariable y = scope.sd().cnn().avgPooling2d(x, cfg);
        return scope.withShape(y, s[0], s[1], s[2] / k, s[3] / k);
    }

    /** Mean over the spatial dimensions: [N,C,H,W] to [N,C]. */
    public static SDVariable globalAvg(Scope scope, SDVariable x) {
        long[] s = scope.shape(x);
        return scope.withShape(x.mean(false, 2, 3), s[0], s[1]);
    }
}
