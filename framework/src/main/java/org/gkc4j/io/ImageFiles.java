package org.gkc4j.io;

import org.gkc4j.GkcException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Image decoding with a size bound: the dimensions are read from the file's header and checked before any pixel
 * buffer is allocated, so a hostile or damaged header cannot exhaust memory. Every failure is a one-line
 * {@link GkcException}.
 */
public final class ImageFiles {
    /** 8192 x 8192; the largest images of the supported datasets (ADE20K full) stay well below. */
    public static final long DEFAULT_MAX_PIXELS = 1L << 26;

    private ImageFiles() {
    }

    public static BufferedImage read(Path file) {
        return read(file, DEFAULT_MAX_PIXELS);
    }

    public static BufferedImage read(Path file, long maxPixels) {
        if (!Files.isRegularFile(file)) {
            throw GkcException.of("image not found: %s", file);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw GkcException.of("cannot read image %s", file);
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw GkcException.of("cannot decode image %s: not a supported image format", file);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0), h = reader.getHeight(0);
                if (w <= 0 || h <= 0 || (long) w * h > maxPixels) {
                    throw GkcException.of("image %s is %dx%d pixels; the limit is %d pixels", file, w, h, maxPixels);
                }
                BufferedImage img = reader.read(0);
                if (img.getWidth() != w || img.getHeight() != h) {
                    throw GkcException.of("cannot decode image %s: header says %dx%d, data holds %dx%d", file, w, h, img.getWidth(), img.getHeight());
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (GkcException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Decoders report damaged data with IIOException but also with unchecked exceptions (index, argument).
            throw new GkcException("cannot decode image " + file + ": " + describe(e), e);
        }
    }

    /** Writes with the named ImageIO format ({@code png}, {@code tiff}) atomically, with no disk cache. */
    public static void write(Path file, BufferedImage img, String format) {
        AtomicFiles.write(file, out -> {
            Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
            if (!writers.hasNext()) {
                throw new IOException("no ImageIO writer for " + format);
            }
            ImageWriter writer = writers.next();
            try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(ios);
                writer.write(img);
            } finally {
                writer.dispose();
            }
        });
    }

    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 300; t = t.getCause()) {
            if (sb.length() > 0) {
                sb.append(": ");
            }
            sb.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
        }
        return sb.toString().replace('\n', ' ');
    }
}
