package org.gkc4j.io;

import org.gkc4j.GkcException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Label maps through the JDK's PNG and TIFF plugins: stored samples, not colours. */
class LabelMapTest {
    @TempDir
    Path dir;

    @Test
    void eightAndSixteenBitPngAndTiffRoundTrip() throws IOException {
        LabelMap small = new LabelMap(3, 2, new int[]{0, 1, 2, 170, 254, 255});
        small.writePng8(dir.resolve("a.png"));
        assertArrayEquals(small.values(), LabelMap.read(dir.resolve("a.png")).values());
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, ImageIO.read(dir.resolve("a.png").toFile()).getType());

        LabelMap wide = new LabelMap(2, 3, new int[]{0, 255, 256, 846, 1000, 65535});
        wide.writeTiff16(dir.resolve("b.tif"));
        wide.writePng16(dir.resolve("b.png"));
        LabelMap t = LabelMap.read(dir.resolve("b.tif"));
        assertEquals(2, t.width());
        assertEquals(3, t.height());
        assertArrayEquals(wide.values(), t.values());
        assertArrayEquals(wide.values(), LabelMap.read(dir.resolve("b.png")).values());
        assertTrue(new String(Files.readAllBytes(dir.resolve("b.tif")), 0, 2, java.nio.charset.StandardCharsets.ISO_8859_1).matches("MM|II"));

        GkcException e = assertThrows(GkcException.class, () -> wide.writePng8(dir.resolve("c.png")));
        assertTrue(e.getMessage().contains("value 256 at pixel 2 is outside 0..255"), e.getMessage());
    }

    /** A minimal little-endian, uncompressed 16-bit grayscale TIFF, as Pillow writes ADE20K-847 labels (the JDK writes big-endian). */
    static byte[] littleEndianTiff(int w, int h, int[] values) {
        int[][] entries = { // tag, type (3 short, 4 long), value
                {256, 3, w}, {257, 3, h}, {258, 3, 16}, {259, 3, 1}, {262, 3, 1}, {273, 4, 0}, {277, 3, 1}, {278, 3, h}, {279, 4, 2 * w * h}};
        int dataOffset = 8 + 2 + entries.length * 12 + 4;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(dataOffset + 2 * w * h).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8).putShort((short) entries.length);
        for (int[] e : entries) {
            int v = e[0] == 273 ? dataOffset : e[2];
            b.putShort((short) e[0]).putShort((short) e[1]).putInt(1);
            if (e[1] == 3) {
                b.putShort((short) v).putShort((short) 0);
            } else {
                b.putInt(v);
            }
        }
        b.putInt(0);
        for (int v : values) {
            b.putShort((short) v);
        }
        return b.array();
    }

    @Test
    void littleEndianTiffAsPillowWritesItIsReadToo() throws IOException {
        Path f = dir.resolve("le.tif");
        Files.write(f, littleEndianTiff(3, 2, new int[]{846, 65535, 258, 0, 1, 255}));
        LabelMap m = LabelMap.read(f);
        assertEquals(3, m.width());
        assertArrayEquals(new int[]{846, 65535, 258, 0, 1, 255}, m.values());
    }

    @Test
    void paletteIndicesAreReadNotColours() {
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        r[1] = (byte) 128;
        r[255] = (byte) 224;
        g[255] = (byte) 224;
        b[255] = (byte) 192;
        LabelMap m = new LabelMap(2, 2, new int[]{0, 1, 255, 20});
        m.writePalettePng(dir.resolve("p.png"), new IndexColorModel(8, 256, r, g, b));
        assertArrayEquals(new int[]{0, 1, 255, 20}, LabelMap.read(dir.resolve("p.png")).values());
    }

    @Test
    void colourImagesDamagedFilesAndOversizedHeadersAreOneLineErrors() throws IOException {
        BufferedImage rgb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        ImageIO.write(rgb, "png", dir.resolve("rgb.png").toFile());
        GkcException e = assertThrows(GkcException.class, () -> LabelMap.read(dir.resolve("rgb.png")));
        assertTrue(e.getMessage().contains("has 3 channels"), e.getMessage());

        new LabelMap(40, 40, new int[1600]).writePng8(dir.resolve("ok.png"));
        byte[] bytes = Files.readAllBytes(dir.resolve("ok.png"));
        Files.write(dir.resolve("cut.png"), Arrays.copyOf(bytes, bytes.length / 2));
        e = assertThrows(GkcException.class, () -> LabelMap.read(dir.resolve("cut.png")));
        assertTrue(e.getMessage().startsWith("cannot decode image " + dir.resolve("cut.png")), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());

        Files.write(dir.resolve("junk.png"), new byte[]{1, 2, 3});
        e = assertThrows(GkcException.class, () -> LabelMap.read(dir.resolve("junk.png")));
        assertTrue(e.getMessage().contains("not a supported image format"), e.getMessage());

        e = assertThrows(GkcException.class, () -> LabelMap.read(dir.resolve("ok.png"), 1000));
        assertTrue(e.getMessage().contains("is 40x40 pixels; the limit is 1000 pixels"), e.getMessage());

        e = assertThrows(GkcException.class, () -> LabelMap.read(dir.resolve("missing.png")));
        assertEquals("image not found: " + dir.resolve("missing.png"), e.getMessage());
    }
}
