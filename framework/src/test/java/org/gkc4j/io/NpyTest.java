package org.gkc4j.io;

import org.gkc4j.GkcException;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsFloatsIntsAndScalars() {
        for (INDArray a : new INDArray[]{Nd4j.rand(DataType.FLOAT, 2, 3, 4), Nd4j.createFromArray(new int[][]{{1, 2, 3}, {49406, 0, -7}}),
                Nd4j.createFromArray(1.0, 2.0), Nd4j.createFromArray(5L, 6L, 7L)}) {
            Path f = dir.resolve("a.npy");
            Npy.write(f, a);
            INDArray b = Npy.read(f);
            assertArrayEquals(a.shape(), b.shape());
            assertEquals(a.dataType(), b.dataType());
            assertEquals(a, b);
        }
    }

    @Test
    void headerIsWhatNumpyWrites() throws IOException {
        Path f = dir.resolve("h.npy");
        Npy.write(f, Nd4j.create(DataType.FLOAT, 3));
        byte[] bytes = Files.readAllBytes(f);
        String header = new String(bytes, 10, bytes[8] & 0xff);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"), header);
        assertEquals(0, (10 + header.length()) % 64, "data starts on a 64-byte boundary");
    }

    @Test
    void readsTheSharedFixtures() {
        INDArray ids = Npy.read(Shared.require("fixtures/clip-rn-tiny/texts_token_ids.npy"));
        assertEquals(DataType.INT, ids.dataType());
        assertEquals(77, ids.size(1));
        assertEquals(49406, ids.getInt(0, 0));
        INDArray images = Npy.read(Shared.require("fixtures/clip-rn-tiny/images.npy"));
        assertEquals(4, images.rank());
    }

    @Test
    void refusesTruncatedData() throws IOException {
        Path f = dir.resolve("t.npy");
        Npy.write(f, Nd4j.create(DataType.FLOAT, 100));
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(bytes, bytes.length - 8));
        GkcException e = assertThrows(GkcException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("needs more data than the file holds"), e.getMessage());
        Files.write(f, new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        assertTrue(assertThrows(GkcException.class, () -> Npy.read(f)).getMessage().contains("magic"));
    }
}
