package org.gkc4j.pipeline.prepare;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.Deflater;

/** Test-only: writes a MAT-file level 5 with one uint16 2-D variable, zlib-compressed as MATLAB v7 saves it. */
final class MatWriter {
    private MatWriter() {
    }

    /** {@code rowMajor} holds H x W values row by row; MAT files store them column by column. */
    static void writeUint16(Path file, String name, int h, int w, int[] rowMajor) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        int namePadded = (nameBytes.length + 7) & ~7, dataBytes = 2 * h * w, dataPadded = (dataBytes + 7) & ~7;
        int body = 16 + 16 + 8 + namePadded + 8 + dataPadded;
        ByteBuffer m = ByteBuffer.allocate(8 + body).order(ByteOrder.LITTLE_ENDIAN);
        m.putInt(14).putInt(body);
        m.putInt(6).putInt(8).putInt(11).putInt(0);          // array flags: uint32 x2, class 11 (uint16)
        m.putInt(5).putInt(8).putInt(h).putInt(w);           // dimensions: int32 x2
        m.putInt(1).putInt(nameBytes.length).put(nameBytes).put(new byte[namePadded - nameBytes.length]);
        m.putInt(4).putInt(dataBytes);                        // real part: uint16
        for (int x = 0; x < w; x++) {
            for (int y = 0; y < h; y++) {
                m.putShort((short) rowMajor[y * w + x]);
            }
        }
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION);
        d.setInput(m.array());
        d.finish();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) {
            z.write(buf, 0, d.deflate(buf));
        }
        d.end();
        byte[] header = Arrays.copyOf("MATLAB 5.0 MAT-file, written by a gkc4j test".getBytes(StandardCharsets.US_ASCII), 128);
        Arrays.fill(header, 44, 116, (byte) ' ');
        Arrays.fill(header, 116, 124, (byte) 0);
        header[124] = 0;
        header[125] = 1;
        header[126] = 'I';
        header[127] = 'M';
        ByteBuffer out = ByteBuffer.allocate(128 + 8 + z.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(header).putInt(15).putInt(z.size()).put(z.toByteArray());
        Files.write(file, out.array());
    }
}
