package org.gkc4j.pipeline.prepare;

import org.gkc4j.io.LabelMap;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Small inputs in the releases' formats, and comparisons of prepared outputs. */
final class PrepareFixtures {
    private PrepareFixtures() {
    }

    static LabelMap map(int w, int... values) {
        return new LabelMap(w, values.length / w, values);
    }

    static void png8(Path file, int w, int... values) throws IOException {
        Files.createDirectories(file.getParent());
        map(w, values).writePng8(file);
    }

    static void image(Path file, int w, int h, String format) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0x336699);
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, format, file.toFile()));
    }

    /** A file cut to half its length (a download that stopped). */
    static void truncate(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(b, b.length / 2));
    }

    static void assertLabels(Path file, int w, int... want) {
        assertTrue(Files.isRegularFile(file), file + " written");
        LabelMap m = LabelMap.read(file);
        assertEquals(w, m.width(), file.toString());
        assertArrayEquals(want, m.values(), file.toString());
    }
}
