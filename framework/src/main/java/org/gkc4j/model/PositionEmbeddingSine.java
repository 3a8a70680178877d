package org.gkc4j.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DETR's normalised sine position encoding as Mask2Former computes it: embed = cumsum / (last + 1e-6) * 2 pi for
 * each axis, divided by 10000^(2 floor(i/2) / F); sine on even, cosine on odd features; y features then x features.
 * A constant of the map size, computed once per graph.
 */
public final class PositionEmbeddingSine {
    private PositionEmbeddingSine() {
    }

    /** [1, 2F, H, W]. */
    public static INDArray encode(int features, long h, long w, DataType type) {
        double scale = 2 * Math.PI, eps = 1e-6, temperature = 10000;
        double[][][] out = new double[2 * features][(int) h][(int) w];
        for (int i = 0; i < features; i++) {
            double dim = Math.pow(temperature, 2.0 * (i / 2) / features);
            for (int y = 0; y < h; y++) {
                double ye = (y + 1) / (h + eps) * scale;
                for (int x = 0; x < w; x++) {
                    double xe = (x + 1) / (w + eps) * scale;
                    out[i][y][x] = i % 2 == 0 ? Math.sin(ye / dim) : Math.cos(ye / dim);
                    out[features + i][y][x] = i % 2 == 0 ? Math.sin(xe / dim) : Math.cos(xe / dim);
                }
            }
        }
        return Nd4j.createFromArray(out).reshape(1, 2L * features, h, w).castTo(type);
    }
}
