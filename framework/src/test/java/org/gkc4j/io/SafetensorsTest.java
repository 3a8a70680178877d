package org.gkc4j.io;

import org.gkc4j.GkcException;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void theSameTensorsAndMetadataGiveTheSameBytesWhateverTheMapOrder() throws IOException {
        Map<String, INDArray> t = Map.of("w", Nd4j.createFromArray(1f, 2f, 3f));
        LinkedHashMap<String, String> ab = new LinkedHashMap<>(), ba = new LinkedHashMap<>();
        ab.put("format", "pt");
        ab.put("transformer_heads", "4");
        ba.put("transformer_heads", "4");
        ba.put("format", "pt");
        Path f1 = dir.resolve("ab.safetensors"), f2 = dir.resolve("ba.safetensors");
        Safetensors.write(f1, t, ab);
        Safetensors.write(f2, t, ba);
        assertArrayEquals(Files.readAllBytes(f1), Files.readAllBytes(f2));
    }

    @Test
    void roundTripsEveryTypeExactly() {
        LinkedHashMap<String, INDArray> t = new LinkedHashMap<>();
        t.put("visual.conv1.weight", Nd4j.rand(DataType.FLOAT, 4, 3, 3, 3));
        t.put("half", Nd4j.createFromArray(1.5f, -0.333251953125f, 65504f, 6.1035156e-05f).castTo(DataType.FLOAT));
        t.put("bf", Nd4j.createFromArray(1.0f, -2.5f, 3.140625f));
        t.put("ids", Nd4j.createFromArray(1L, 2L, 49407L));
        t.put("i32", Nd4j.createFromArray(new int[][]{{1, -2}, {3, 4}}));
        t.put("logit_scale", Nd4j.scalar(4.6052f));
        Path f = dir.resolve("m.safetensors");
        Safetensors.write(f, t, Map.of("transformer_heads", "8"), Map.of("half", TensorDType.F16, "bf", TensorDType.BF16));
        try (Safetensors st = Safetensors.open(f)) {
            assertEquals("8", st.metadata().get("transformer_heads"));
            assertEquals(TensorDType.F16, st.entry("half").dtype());
            assertEquals(TensorDType.BF16, st.entry("bf").dtype());
            for (var e : t.entrySet()) {
                INDArray back = st.read(e.getKey());
                assertArrayEquals(e.getValue().shape(), back.shape(), e.getKey());
                assertEquals(e.getValue().castTo(DataType.DOUBLE), back.castTo(DataType.DOUBLE), e.getKey());
            }
            assertEquals(DataType.LONG, st.read("ids").dataType());
        }
    }

    @Test
    void halfPrecisionConversionRoundsToNearestEven() {
        assertEquals(1.0f, HalfFloats.halfToFloat(HalfFloats.floatToHalf(1.0f + 0x1p-11f)), "ties round to even");
        assertEquals(1.0f + 0x1p-10f, HalfFloats.halfToFloat(HalfFloats.floatToHalf(1.0f + 0x1.8p-11f)));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.halfToFloat(HalfFloats.floatToHalf(70000f)));
        assertEquals(0x1p-24f, HalfFloats.halfToFloat(HalfFloats.floatToHalf(0x1p-24f)), "smallest subnormal");
        assertEquals(0x1.8p-23f, HalfFloats.halfToFloat((short) 0x0003));
    }

    @Test
    void readsTheSharedFixtureAndItsMetadata() {
        Path f = Shared.require("fixtures/clip-rn-tiny/clip.safetensors");
        try (Safetensors st = Safetensors.open(f)) {
            assertTrue(st.metadata().containsKey("transformer_heads"));
            assertTrue(st.contains("visual.conv1.weight"));
            assertEquals(4, st.read("visual.conv1.weight").rank());
        }
    }

    private Path raw(byte[] bytes) throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, bytes);
        return f;
    }

    private static byte[] file(long headerLen, String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLen).put(h);
        return b.array();
    }

    private static byte[] file(String header, int dataBytes) {
        return file(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    private void assertRefused(byte[] bytes, String expected) throws IOException {
        Path f = raw(bytes);
        GkcException e = assertThrows(GkcException.class, () -> Safetensors.open(f).close());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith("damaged safetensors file"), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one line");
    }

    @Test
    void refusesEmptyTruncatedAndHostileFiles() throws IOException {
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        assertRefused(new byte[0], "empty");
        assertRefused(new byte[]{1, 2, 3}, "shorter than the 8-byte header length");
        assertRefused(file(1L << 40, ok, 16), "header length");
        assertRefused(file(-5, ok, 16), "header length");
        assertRefused(file(ok.length() + 100, ok, 16), "header claims");
        assertRefused(file(ok, 8), "claims bytes [0, 16) but the data section has 8 bytes");
        assertRefused(file(ok.replace("[2,2]", "[3,2]"), 16), "does not fit");
        assertRefused(file(ok.replace("[2,2]", "[4611686018427387904,4]"), 16), "does not fit");
        assertRefused(file(ok.replace("F32", "Q99"), 16), "unsupported dtype");
        assertRefused(file(ok.replace("[2,2]", "[-2,-2]"), 16), "invalid dimension");
        assertRefused(file(10, "{not json!", 0), "not valid JSON");
        String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertRefused(file(overlap, 12), "overlap");
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertRefused(file(deep, 0), "not valid JSON");
    }

    @Test
    void missingFileIsOneClearLine() {
        GkcException e = assertThrows(GkcException.class, () -> Safetensors.open(dir.resolve("nope.safetensors")));
        assertTrue(e.getMessage().startsWith("weights file not found"), e.getMessage());
    }
}
