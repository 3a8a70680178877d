package org.gkc4j.pipeline.prepare;

import org.gkc4j.io.LabelMap;

import java.nio.file.Path;

/**
 * A label map a unit produced.
 *
 * @param target where it goes; null when it is only checked (counted, not written)
 * @param labels contiguous class indices plus the ignore value
 * @param format how it is stored
 * @param ignore the ignore value, for counting ignored pixels
 * @param write  false for a map that holds nothing but the ignore value and is, as the usual preparation does, not
 *               written
 */
public record LabelOutput(Path target, LabelMap labels, Format format, int ignore, boolean write) {
    /**
     * The stored forms: detectron2's prepared label maps (8-bit PNG, 16-bit TIFF) and, for a preparation that also
     * resizes images (ADE20K-847), an RGB JPEG whose "labels" are packed {@code 0xRRGGBB} pixels.
     */
    public enum Format {
        PNG8, TIFF16, RGB_JPEG;

        void write(LabelMap labels, Path file) {
            switch (this) {
                case PNG8 -> labels.writePng8(file);
                case TIFF16 -> labels.writeTiff16(file);
                case RGB_JPEG -> {
                    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(labels.width(), labels.height(),
                            java.awt.image.BufferedImage.TYPE_INT_RGB);
                    img.setRGB(0, 0, labels.width(), labels.height(), labels.values(), 0, labels.width());
                    org.gkc4j.io.ImageFiles.write(file, img, "jpg");
                }
            }
        }
    }

    public static LabelOutput written(Path target, LabelMap labels, Format format, int ignore) {
        return new LabelOutput(target, labels, format, ignore, true);
    }

    /** Written unless every pixel is the ignore value. */
    public static LabelOutput unlessEmpty(Path target, LabelMap labels, Format format, int ignore) {
        boolean any = false;
        for (int v : labels.values()) {
            if (v != ignore) {
                any = true;
                break;
            }
        }
        return new LabelOutput(target, labels, format, ignore, any);
    }

    public static LabelOutput checked(LabelMap labels, int ignore) {
        return new LabelOutput(null, labels, Format.PNG8, ignore, false);
    }
}
