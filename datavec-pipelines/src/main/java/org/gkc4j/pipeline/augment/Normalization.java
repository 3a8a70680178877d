package org.gkc4j.pipeline.augment;

import org.gkc4j.pipeline.RgbImage;

import java.util.List;

/** Per-channel (x - mean) / std of 0-255 RGB into CHW floats. */
public record Normalization(double[] mean, double[] std) {
    /** The student's statistics (ImageNet, 0-255 scale), as GKC's config. */
    public static final Normalization IMAGENET = new Normalization(new double[]{123.675, 116.28, 103.53}, new double[]{58.395, 57.12, 57.375});
    /** CLIP's statistics, for the teacher (0-255 scale). */
    public static final Normalization CLIP = new Normalization(new double[]{0.48145466 * 255, 0.4578275 * 255, 0.40821073 * 255},
            new double[]{0.26862954 * 255, 0.26130258 * 255, 0.27577711 * 255});

    /** Writes the normalised CHW values of {@code img} into {@code out} at {@code offset}. */
    public void apply(RgbImage img, float[] out, int offset) {
        int hw = img.width() * img.height();
        byte[] d = img.data();
        for (int c = 0; c < 3; c++) {
            double m = mean[c], s = std[c];
            for (int i = 0; i < hw; i++) {
                out[offset + c * hw + i] = (float) (((d[i * 3 + c] & 0xff) - m) / s);
            }
        }
    }

    /**
     * A batch [slots, 3, H, W] (row-major) of same-sized images, normalised; slots past the images stay zero (graphs
     * built for a fixed batch take short batches this way).
     */
    public float[] batch(List<RgbImage> images, int slots) {
        if (images.size() > slots) {
            throw new IllegalArgumentException(images.size() + " images for a batch of " + slots);
        }
        int per = images.isEmpty() ? 0 : 3 * images.get(0).width() * images.get(0).height();
        float[] out = new float[slots * per];
        for (int i = 0; i < images.size(); i++) {
            RgbImage img = images.get(i);
            if (3 * img.width() * img.height() != per) {
                throw new IllegalArgumentException("image " + i + " is " + img.width() + "x" + img.height() + ", unlike the first");
            }
            apply(img, out, i * per);
        }
        return out;
    }
}
