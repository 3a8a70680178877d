package org.gkc4j.pipeline;

import org.gkc4j.GkcException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** An 8-bit RGB image, row-major, interleaved (HWC). */
public record RgbImage(int width, int height, byte[] data) {
    public RgbImage {
        if (data.length != width * height * 3) {
            throw new IllegalArgumentException("RGB data holds " + data.length + " bytes for " + width + "x" + height);
        }
    }

    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new byte[width * height * 3]);
    }

    public int get(int x, int y, int c) {
        return data[(y * width + x) * 3 + c] & 0xff;
    }

    public void set(int x, int y, int r, int g, int b) {
        int i = (y * width + x) * 3;
        data[i] = (byte) r;
        data[i + 1] = (byte) g;
        data[i + 2] = (byte) b;
    }

    /** Decodes a PNG, JPEG, BMP or GIF file; a missing or undecodable file is a one-line error. */
    public static RgbImage read(Path file) {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            if (!Files.exists(file)) {
                throw GkcException.of("image not found: %s", file);
            }
            throw GkcException.of("cannot decode image %s: %s", file, e.getMessage());
        }
        if (img == null) {
            if (!Files.exists(file)) {
                throw GkcException.of("image not found: %s", file);
            }
            throw GkcException.of("cannot decode image %s: not a supported image format", file);
        }
        return fromBufferedImage(img);
    }

    public static RgbImage fromBufferedImage(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        byte[] d = new byte[w * h * 3];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x], i = (y * w + x) * 3;
                d[i] = (byte) (p >> 16);
                d[i + 1] = (byte) (p >> 8);
                d[i + 2] = (byte) p;
            }
        }
        return new RgbImage(w, h, d);
    }

    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                row[x] = ((data[i] & 0xff) << 16) | ((data[i + 1] & 0xff) << 8) | (data[i + 2] & 0xff);
            }
            img.setRGB(0, y, width, 1, row, 0, width);
        }
        return img;
    }

    public void write(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, ".img", ".png");
            ImageIO.write(toBufferedImage(), "png", tmp.toFile());
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw GkcException.of("cannot write %s: %s", file, e.getMessage());
        }
    }
}
