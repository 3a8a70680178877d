package org.gkc4j.model;

import org.gkc4j.nn.Activation;
import org.gkc4j.nn.Conv2d;
import org.gkc4j.nn.Init;
import org.gkc4j.nn.Pooling;
import org.gkc4j.nn.Resize;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * An addition to the paper's pixel decoder (off unless {@code pixelDecoder.maskStride} is 1 or 2): mask features
 * finer than stride 4, built from the stride-4 ones and a lateral from the input pixels, one more FPN step down.
 * Why: at 512 px a COCO object spans tens of stride-4 cells, but the built-in 64 px world's objects span 4-9, and
 * their outlines (the only thing telling a disc from a triangle of one colour) blur into blobs at stride 4
 * (docs/demo-results.md).
 * <p>
 * {@code lateral}: average-pool the image to the target stride, then two 3x3 ConvNorm (GN, ReLU); {@code reduce}: a
 * 1x1 conv of the bilinearly upsampled stride-4 features; {@code fuse}: a 3x3 ConvNorm with ReLU of their sum;
 * {@code out}: a 1x1 conv back to the mask width, initialised at zero and added to the upsampled features, so an
 * untrained refiner gives exactly the stride-4 features, upsampled.
 */
public final class MaskFeatureRefiner {
    private final Scope scope;
    private final int stride;
    private final ConvNorm lateral0, lateral1, fuse;
    private final Conv2d reduce, out;

    public MaskFeatureRefiner(Scope scope, int stride, int channels, int maskDim, int groups) {
        if (stride != 1 && stride != 2) {
            throw new IllegalArgumentException("a refined mask stride is 1 or 2, not " + stride);
        }
        this.scope = scope;
        this.stride = stride;
        lateral0 = new ConvNorm(scope.child("lateral").child(0), 3, channels, 3, groups, Activation.RELU);
        lateral1 = new ConvNorm(scope.child("lateral").child(1), channels, channels, 3, groups, Activation.RELU);
        reduce = new Conv2d(scope.child("reduce"), maskDim, channels, 1, 1, 0, 1, 1, true, Init.c2Xavier(), Init.zeros());
        fuse = new ConvNorm(scope.child("fuse"), channels, channels, 3, groups, Activation.RELU);
        out = new Conv2d(scope.child("out"), channels, maskDim, 1, 1, 0, 1, 1, true, Init.zeros(), Init.zeros());
    }

    public int stride() {
        return stride;
    }

    /** images [B,3,H,W] (normalised), stride-4 mask features [B,M,H/4,W/4] to [B,M,H/stride,W/stride]. */
    public SDVariable forward(SDVariable images, SDVariable maskFeatures) {
        long[] is = scope.shape(images), ms = scope.shape(maskFeatures);
        long b = is[0], h = is[2] / stride, w = is[3] / stride;
        SDVariable up = Resize.bilinear(scope, maskFeatures, h, w);
        SDVariable lat = lateral1.forward(lateral0.forward(Pooling.avgPool(scope, images, stride)));
        SDVariable y = fuse.forward(scope.withShape(lat.add(reduce.forward(up)), b, scope.shape(lat)[1], h, w));
        return scope.withShape(up.add(out.forward(y)), b, ms[1], h, w);
    }
}
