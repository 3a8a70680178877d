package org.gkc4j.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Video Mask2Former's space-time sine encoding: the image encoding ({@link PositionEmbeddingSine}, y then x features)
 * plus a temporal encoding of the same width, z = (t + 1) / (T + 1e-6) * 2 pi over the clip's T frames, divided by
 * 10000^(2 floor(i/2) / 2F) for feature i of 2F, sine on even and cosine on odd features. Normalised by T, so a model
 * trained on short clips reads longer ones on the same scale. A constant of the clip size.
 */
public final class PositionEmbeddingSine3d {
    private PositionEmbeddingSine3d() {
    }

    /** The temporal part alone: [2F, T]. */
    public static double[][] temporal(int features, long frames) {
        int c = 2 * features;
        double scale = 2 * Math.PI, eps = 1e-6, temperature = 10000;
        double[][] out = new double[c][(int) frames];
        for (int i = 0; i < c; i++) {
            double dim = Math.pow(temperature, 2.0 * (i / 2) / c);
            for (int t = 0; t < frames; t++) {
                double z = (t + 1) / (frames + eps) * scale;
                out[i][t] = i % 2 == 0 ? Math.sin(z / dim) : Math.cos(z / dim);
            }
        }
        return out;
    }

    /** [1, 2F, T, H, W]: the spatial encoding of every frame plus the frame's temporal encoding. */
    public static INDArray encode(int features, long frames, long h, long w, DataType type) {
        INDArray spatial = PositionEmbeddingSine.encode(features, h, w, DataType.DOUBLE).reshape(2L * features, 1, h * w);
        INDArray z = Nd4j.createFromArray(temporal(features, frames)).reshape(2L * features, frames, 1);
        INDArray out = Nd4j.zeros(DataType.DOUBLE, 2L * features, frames, h * w).addi(spatial.broadcast(2L * features, frames, h * w))
                .addi(z.broadcast(2L * features, frames, h * w));
        return out.reshape(1, 2L * features, frames, h, w).castTo(type);
    }
}
