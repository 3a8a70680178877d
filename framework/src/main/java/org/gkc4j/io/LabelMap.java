package org.gkc4j.io;

import org.gkc4j.GkcException;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.nio.file.Path;

/**
 * A single-channel integer image, row-major: semantic label maps and panoptic id maps. Read from the raster's stored
 * samples, never through a colour model, so a palette PNG yields its palette indices (Pascal VOC), a 16-bit
 * grayscale PNG or TIFF its 16-bit values (ADE20K-847, Pascal Context 459) and nothing is colour-managed.
 */
public record LabelMap(int width, int height, int[] values) {
    public LabelMap {
        if (width <= 0 || height <= 0 || values.length != (long) width * height) {
            throw new IllegalArgumentException("label map of " + width + "x" + height + " holds " + values.length + " values");
        }
    }

    public int get(int x, int y) {
        return values[y * width + x];
    }

    public static LabelMap read(Path file) {
        return read(file, ImageFiles.DEFAULT_MAX_PIXELS);
    }

    /** Reads a grayscale (8 or 16 bit) or palette image; anything with more than one channel is an error. */
    public static LabelMap read(Path file, long maxPixels) {
        BufferedImage img = ImageFiles.read(file, maxPixels);
        Raster r = img.getRaster();
        if (r.getNumBands() != 1) {
            throw GkcException.of("label map %s has %d channels; expected a single-channel (grayscale or palette) image", file, r.getNumBands());
        }
        int w = img.getWidth(), h = img.getHeight();
        int[] v = r.getSamples(0, 0, w, h, 0, new int[w * h]);
        return new LabelMap(w, h, v);
    }

    /** Writes an 8-bit grayscale PNG; every value must lie in 0..255. */
    public void writePng8(Path file) {
        ImageFiles.write(file, toImage(BufferedImage.TYPE_BYTE_GRAY, 255, file), "png");
    }

    /** Writes a 16-bit grayscale PNG; every value must lie in 0..65535. */
    public void writePng16(Path file) {
        ImageFiles.write(file, toImage(BufferedImage.TYPE_USHORT_GRAY, 65535, file), "png");
    }

    /** Writes a 16-bit grayscale TIFF (the format of detectron2's ADE20K-847 and Pascal Context 459 labels). */
    public void writeTiff16(Path file) {
        ImageFiles.write(file, toImage(BufferedImage.TYPE_USHORT_GRAY, 65535, file), "tiff");
    }

    /** Writes an 8-bit palette PNG with the given colour table (as Pascal VOC's SegmentationClass files are). */
    public void writePalettePng(Path file, IndexColorModel palette) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, palette);
        fill(img.getRaster(), palette.getMapSize() - 1, file);
        ImageFiles.write(file, img, "png");
    }

    private BufferedImage toImage(int type, int max, Path file) {
        BufferedImage img = new BufferedImage(width, height, type);
        fill(img.getRaster(), max, file);
        return img;
    }

    private void fill(WritableRaster r, int max, Path file) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] > max) {
                throw GkcException.of("cannot write %s: value %d at pixel %d is outside 0..%d", file, values[i], i, max);
            }
        }
        r.setSamples(0, 0, width, height, 0, values);
    }
}
