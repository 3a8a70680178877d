package org.gkc4j.pipeline.prepare;

import org.gkc4j.GkcException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MAT-file reader on SciPy-written files (resources prepare/pascal-context, made by make_fixtures.py beside them):
 * uncompressed and zlib-compressed, a small-element variable, and damaged or unsupported files.
 */
class MatFileTest {
    @TempDir
    Path dir;

    /** The arrays make_fixtures.py saves, row by row. */
    static final int[][] A = {{0, 2, 9, 459}, {18, 1, 255, 458}, {3, 0, 44, 100}};
    static final int[][] B = {{22, 22, 0, 65, 400}, {459, 1, 2, 2, 0}};

    static Path fixture(Path dir, String name) throws IOException {
        Path out = dir.resolve(name);
        try (InputStream in = MatFileTest.class.getResourceAsStream("/prepare/pascal-context/" + name)) {
            Files.copy(in, out);
        }
        return out;
    }

    static void assertMatrix(int[][] want, MatFile.Matrix m) {
        assertEquals(want.length, m.rows());
        assertEquals(want[0].length, m.cols());
        for (int r = 0; r < want.length; r++) {
            for (int c = 0; c < want[0].length; c++) {
                assertEquals(want[r][c], m.get(r, c), "(" + r + ", " + c + ")");
            }
        }
    }

    @Test
    void readsUncompressedAndCompressedLabelMaps() throws IOException {
        assertMatrix(A, MatFile.read(fixture(dir, "2008_000001.mat"), "LabelMap"));
        Path b = fixture(dir, "2008_000002.mat");
        assertMatrix(B, MatFile.read(b, "LabelMap"));
        // "x" is 1x2 uint8: its 2 bytes of data sit in a small data element.
        assertMatrix(new int[][]{{7, 8}}, MatFile.read(b, "x"));
    }

    @Test
    void unsupportedOrMissingVariablesAreOneLineErrors() throws IOException {
        Path b = fixture(dir, "2008_000002.mat");
        GkcException e = assertThrows(GkcException.class, () -> MatFile.read(b, "note"));
        assertTrue(e.getMessage().contains("only real numeric arrays"), e.getMessage());
        e = assertThrows(GkcException.class, () -> MatFile.read(b, "Missing"));
        assertTrue(e.getMessage().contains("no variable named Missing"), e.getMessage());
    }

    @Test
    void damagedFilesAreOneLineErrors() throws IOException {
        byte[] a = Files.readAllBytes(fixture(dir, "2008_000001.mat"));
        // Truncated: the matrix element declares more bytes than follow.
        Path t = dir.resolve("t.mat");
        Files.write(t, Arrays.copyOf(a, a.length - 10));
        GkcException e = assertThrows(GkcException.class, () -> MatFile.read(t, "LabelMap"));
        assertTrue(e.getMessage().startsWith("damaged MAT file") && e.getMessage().contains("declares"), e.getMessage());
        // Wrong size: the real part (at 0xb8: type 4 uint16, 24 bytes for 12 values) says 20 bytes.
        byte[] w = a.clone();
        assertEquals(24, w[0xbc]);
        w[0xbc] = 20;
        Path ws = dir.resolve("w.mat");
        Files.write(ws, w);
        e = assertThrows(GkcException.class, () -> MatFile.read(ws, "LabelMap"));
        assertTrue(e.getMessage().contains("12 values") && e.getMessage().contains("20 bytes"), e.getMessage());
        // A dimension far beyond the data.
        byte[] d = a.clone();
        d[0xa3] = 0x40; // rows = 0x40000003
        Path ds = dir.resolve("d.mat");
        Files.write(ds, d);
        assertThrows(GkcException.class, () -> MatFile.read(ds, "LabelMap"));
        // Compressed and truncated inside the zlib stream.
        byte[] b = Files.readAllBytes(fixture(dir, "2008_000002.mat"));
        Path tc = dir.resolve("tc.mat");
        Files.write(tc, Arrays.copyOf(b, b.length - 20));
        e = assertThrows(GkcException.class, () -> MatFile.read(tc, "LabelMap"));
        assertTrue(e.getMessage().startsWith("damaged MAT file"), e.getMessage());
        // Not a MAT file, and a v7.3 (HDF5) one.
        Path png = dir.resolve("x.mat");
        Files.write(png, new byte[200]);
        assertThrows(GkcException.class, () -> MatFile.read(png, "LabelMap"));
        byte[] v73 = a.clone();
        v73[124] = 0;
        v73[125] = 2;
        Path h5 = dir.resolve("h5.mat");
        Files.write(h5, v73);
        e = assertThrows(GkcException.class, () -> MatFile.read(h5, "LabelMap"));
        assertTrue(e.getMessage().contains("v7.3"), e.getMessage());
    }

    /** Every single-byte corruption of the fixtures either reads or ends in a GkcException, never another exception. */
    @Test
    void corruptionNeverEscapesAsAnotherException() throws IOException {
        for (String name : new String[]{"2008_000001.mat", "2008_000002.mat"}) {
            byte[] good = Files.readAllBytes(fixture(dir, name));
            Path f = dir.resolve("c-" + name);
            for (int i = 0; i < good.length; i++) {
                for (int flip : new int[]{0x01, 0x80, 0xff}) {
                    byte[] b = good.clone();
                    b[i] ^= (byte) flip;
                    Files.write(f, b);
                    try {
                        MatFile.read(f, "LabelMap", 1 << 20);
                    } catch (GkcException expected) {
                        assertTrue(!expected.getMessage().isBlank());
                    }
                }
            }
        }
    }

    @Test
    void inflationIsBounded() throws IOException {
        Path z = fixture(dir, "zeros_200x200.mat");
        assertTrue(Files.size(z) < 2000);
        MatFile.Matrix m = MatFile.read(z, "LabelMap");
        assertEquals(200, m.rows());
        assertTrue(Arrays.stream(m.values()).allMatch(v -> v == 7));
        GkcException e = assertThrows(GkcException.class, () -> MatFile.read(z, "LabelMap", 10_000));
        assertTrue(e.getMessage().contains("inflates to more than 10000 bytes"), e.getMessage());
    }
}
