package org.gkc4j.experiments;

import java.util.List;

/** The tiny CLIP the built-in default pretrains on the synthetic world; defaults in one place. */
public record ClipPretrainConfig(int steps, int batch, int imageSize, double lr, int warmup, double weightDecay, int merges,
                                 List<Integer> visionLayers, int visionWidth, int embedDim, int textWidth, int textHeads,
                                 int textLayers, int zeroShotPerClass, boolean batchNormStatistics, boolean regionCropPairs, long seed) {
    public static ClipPretrainConfig defaults() {
        return new ClipPretrainConfig(250, 64, 32, 1e-3, 25, 0.1, 400, List.of(1, 1, 1, 1), 16, 64, 64, 4, 2, 10, true, false, 0);
    }
}
