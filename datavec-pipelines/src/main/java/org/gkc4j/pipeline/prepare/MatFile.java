package org.gkc4j.pipeline.prepare;

import org.gkc4j.GkcException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A bounded reader of MATLAB's MAT-file level 5 format (what MATLAB's {@code save -v6/-v7} and SciPy's
 * {@code savemat} write), for one real numeric 2-D variable such as PASCAL-Context's {@code LabelMap}: the 128-byte
 * header (either byte order), top-level {@code miMATRIX} elements and {@code miCOMPRESSED} (zlib) elements holding
 * them, and within a matrix the array flags, dimensions, name and real part, in the normal or the small (4-byte)
 * data-element format. Every declared size is checked against the bytes that hold it (the file, or the inflated
 * element, itself capped), so a damaged or hostile file ends in one clear {@link GkcException}. Cell, struct,
 * char, sparse, complex and more-than-2-D variables are named in an error if asked for, and skipped otherwise;
 * v7.3 (HDF5) files are refused.
 */
public final class MatFile {
    /** A real numeric matrix, values in column-major (MATLAB) order: {@code value(r, c) = values[r + c * rows]}. */
    public record Matrix(String name, int rows, int cols, int[] values) {
        public int get(int r, int c) {
            return values[r + c * rows];
        }
    }

    /** Far above PASCAL-Context's label maps (about 250,000 uint16 values, tens of kilobytes compressed). */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;

    static final int MI_INT8 = 1, MI_UINT8 = 2, MI_INT16 = 3, MI_UINT16 = 4, MI_INT32 = 5, MI_UINT32 = 6, MI_SINGLE = 7,
            MI_DOUBLE = 9, MI_INT64 = 12, MI_UINT64 = 13, MI_MATRIX = 14, MI_COMPRESSED = 15;
    static final int MX_DOUBLE = 6, MX_SINGLE = 7, MX_INT8 = 8, MX_UINT8 = 9, MX_INT16 = 10, MX_UINT16 = 11, MX_INT32 = 12, MX_UINT32 = 13;
    private static final int HEADER = 128;

    private final Path file;
    private final long maxBytes;

    private MatFile(Path file, long maxBytes) {
        this.file = file;
        this.maxBytes = maxBytes;
    }

    /** Reads the variable {@code name}; a missing variable, an unsupported one or damage is a one-line error. */
    public static Matrix read(Path file, String name) {
        return read(file, name, DEFAULT_MAX_BYTES);
    }

    /** As {@link #read(Path, String)}, with the file and every inflated element limited to {@code maxBytes}. */
    public static Matrix read(Path file, String name, long maxBytes) {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) {
                throw GkcException.of("MAT file not found: %s", file);
            }
            long size = Files.size(file);
            if (size > maxBytes) {
                throw GkcException.of("MAT file %s is %d bytes; the limit is %d", file, size, maxBytes);
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw GkcException.of("cannot read %s: %s", file, e.getMessage());
        }
        return new MatFile(file, maxBytes).find(bytes, name);
    }

    private Matrix find(byte[] bytes, String name) {
        if (bytes.length < HEADER) {
            throw damaged("it is %d bytes, shorter than the 128-byte header", bytes.length);
        }
        String text = new String(bytes, 0, 116, StandardCharsets.US_ASCII);
        if (!text.startsWith("MATLAB")) {
            throw damaged("it does not start with a MAT-file header");
        }
        ByteOrder order;
        if (bytes[126] == 'I' && bytes[127] == 'M') {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (bytes[126] == 'M' && bytes[127] == 'I') {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            throw damaged("its header has no byte-order mark");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
        int version = b.getShort(124) & 0xffff;
        if (version != 0x0100) {
            throw GkcException.of("MAT file %s is version 0x%04x%s; only level 5 (v6/v7) files are read", file, version,
                    version == 0x0200 ? " (v7.3, HDF5)" : "");
        }
        int pos = HEADER;
        while (pos < bytes.length) {
            if (bytes.length - pos < 8) {
                throw damaged("%d stray bytes at offset %d", bytes.length - pos, pos);
            }
            int type = b.getInt(pos);
            long size = Integer.toUnsignedLong(b.getInt(pos + 4));
            long end = pos + 8 + size;
            if (end > bytes.length) {
                throw damaged("the element at offset %d declares %d bytes but only %d follow", pos, size, bytes.length - pos - 8);
            }
            Matrix m;
            if (type == MI_COMPRESSED) {
                ByteBuffer inner = ByteBuffer.wrap(inflate(bytes, pos + 8, (int) size, pos)).order(order);
                m = compressedMatrix(inner, name, pos);
            } else if (type == MI_MATRIX) {
                m = matrix(b, pos + 8, (int) size, name);
            } else {
                throw damaged("the top-level element at offset %d has type %d; expected a matrix (14) or compressed (15) element", pos, type);
            }
            if (m != null) {
                return m;
            }
            pos = (int) end;
        }
        throw GkcException.of("MAT file %s holds no variable named %s", file, name);
    }

    private Matrix compressedMatrix(ByteBuffer inner, String name, int at) {
        if (inner.limit() < 8) {
            throw damaged("the compressed element at offset %d inflates to %d bytes, too few for an element", at, inner.limit());
        }
        int type = inner.getInt(0);
        long size = Integer.toUnsignedLong(inner.getInt(4));
        if (type != MI_MATRIX) {
            throw damaged("the compressed element at offset %d holds type %d; expected a matrix (14)", at, type);
        }
        if (8 + size > inner.limit()) {
            throw damaged("the matrix compressed at offset %d declares %d bytes but inflates to %d", at, size, inner.limit() - 8);
        }
        return matrix(inner, 8, (int) size, name);
    }

    private byte[] inflate(byte[] bytes, int off, int len, int at) {
        Inflater inf = new Inflater();
        try {
            inf.setInput(bytes, off, len);
            byte[] out = new byte[(int) Math.min(maxBytes, Math.max(64, Math.min(4L * len, 1 << 20)))];
            int n = 0;
            while (!inf.finished()) {
                if (n == out.length) {
                    if (out.length >= maxBytes) {
                        throw damaged("the compressed element at offset %d inflates to more than %d bytes", at, maxBytes);
                    }
                    out = java.util.Arrays.copyOf(out, (int) Math.min(maxBytes, 2L * out.length));
                }
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    throw damaged("the compressed element at offset %d ends before its zlib stream does", at);
                }
                n += k;
            }
            return java.util.Arrays.copyOf(out, n);
        } catch (DataFormatException e) {
            throw damaged("the compressed element at offset %d is not a valid zlib stream (%s)", at, e.getMessage());
        } finally {
            inf.end();
        }
    }

    /** A data element inside a matrix: its type, where its data starts, its byte count and where the next begins. */
    private record Element(int type, int data, int size, int next) {
    }

    private Element element(ByteBuffer b, int pos, int end, String what) {
        if (end - pos < 8) {
            throw damaged("the matrix ends before its %s (offset %d)", what, pos);
        }
        int first = b.getInt(pos);
        if ((first >>> 16) != 0) { // small data element: size and type share the first 4 bytes, data in the next 4
            int size = first >>> 16, type = first & 0xffff;
            if (size > 4) {
                throw damaged("the small %s element at offset %d declares %d bytes (at most 4)", what, pos, size);
            }
            return new Element(type, pos + 4, size, pos + 8);
        }
        long size = Integer.toUnsignedLong(b.getInt(pos + 4));
        long padded = (size + 7) & ~7L;
        if (pos + 8 + size > end) {
            throw damaged("the %s element at offset %d declares %d bytes but the matrix holds only %d more", what, pos, size, end - pos - 8);
        }
        return new Element(first, pos + 8, (int) size, (int) Math.min(end, pos + 8 + padded));
    }

    /** Parses a matrix's sub-elements in {@code [start, start+len)}; null when it is another variable. */
    private Matrix matrix(ByteBuffer b, int start, int len, String wanted) {
        int end = start + len;
        if (len == 0) {
            return null; // an empty matrix element (MATLAB writes these for empty arrays)
        }
        Element flags = element(b, start, end, "array flags");
        if (flags.type() != MI_UINT32 || flags.size() != 8) {
            throw damaged("the array flags at offset %d are type %d, %d bytes; expected uint32, 8 bytes", start, flags.type(), flags.size());
        }
        int f = b.getInt(flags.data());
        int mxClass = f & 0xff;
        boolean complex = (f & 0x0800) != 0;
        Element dims = element(b, flags.next(), end, "dimensions");
        if (dims.type() != MI_INT32 || dims.size() % 4 != 0 || dims.size() < 8) {
            throw damaged("the dimensions at offset %d are type %d, %d bytes; expected at least two int32", flags.next(), dims.type(), dims.size());
        }
        int nd = dims.size() / 4;
        long[] shape = new long[nd];
        long count = 1;
        for (int i = 0; i < nd; i++) {
            shape[i] = b.getInt(dims.data() + 4 * i);
            if (shape[i] < 0) {
                throw damaged("dimension %d is negative (%d)", i, shape[i]);
            }
            count *= shape[i]; // each factor < 2^31 and the running product <= maxBytes, so this cannot overflow
            if (count > maxBytes) {
                throw damaged("its dimensions declare more than %d values", maxBytes);
            }
        }
        Element nameEl = element(b, dims.next(), end, "name");
        if (nameEl.type() != MI_INT8 && nameEl.type() != MI_UINT8) {
            throw damaged("the array name at offset %d has type %d; expected int8", dims.next(), nameEl.type());
        }
        byte[] nb = new byte[nameEl.size()];
        b.get(nameEl.data(), nb);
        String name = new String(nb, StandardCharsets.US_ASCII);
        if (!name.equals(wanted)) {
            return null;
        }
        if (mxClass < MX_DOUBLE || mxClass > MX_UINT32) {
            throw GkcException.of("MAT file %s: variable %s has MATLAB class %d; only real numeric arrays are read", file, name, mxClass);
        }
        if (complex) {
            throw GkcException.of("MAT file %s: variable %s is complex; only real arrays are read", file, name);
        }
        if (nd != 2) {
            throw GkcException.of("MAT file %s: variable %s has %d dimensions; expected 2", file, name, nd);
        }
        if (shape[0] == 0 || shape[1] == 0) {
            throw damaged("variable %s is empty (%dx%d)", name, shape[0], shape[1]);
        }
        Element real = element(b, nameEl.next(), end, "real part");
        int width = width(real.type());
        if (width == 0) {
            throw damaged("the real part of %s has storage type %d, which is not a numeric type read here", name, real.type());
        }
        if ((long) real.size() != count * width) {
            throw damaged("variable %s is %dx%d (%d values) but its real part holds %d bytes of %d-byte values", name, shape[0], shape[1],
                    count, real.size(), width);
        }
        int[] values = new int[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = value(b, real.type(), real.data() + i * width, name, i);
        }
        return new Matrix(name, (int) shape[0], (int) shape[1], values);
    }

    private static int width(int type) {
        return switch (type) {
            case MI_INT8, MI_UINT8 -> 1;
            case MI_INT16, MI_UINT16 -> 2;
            case MI_INT32, MI_UINT32, MI_SINGLE -> 4;
            case MI_DOUBLE -> 8;
            default -> 0;
        };
    }

    private int value(ByteBuffer b, int type, int at, String name, int index) {
        long v;
        switch (type) {
            case MI_INT8 -> v = b.get(at);
            case MI_UINT8 -> v = b.get(at) & 0xff;
            case MI_INT16 -> v = b.getShort(at);
            case MI_UINT16 -> v = b.getShort(at) & 0xffff;
            case MI_INT32 -> v = b.getInt(at);
            case MI_UINT32 -> v = Integer.toUnsignedLong(b.getInt(at));
            default -> {
                double d = type == MI_SINGLE ? b.getFloat(at) : b.getDouble(at);
                if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                    throw GkcException.of("MAT file %s: variable %s holds %s at index %d, not an integer label", file, name, d, index);
                }
                v = (long) d;
            }
        }
        if (v > Integer.MAX_VALUE) {
            throw GkcException.of("MAT file %s: variable %s holds %d at index %d, beyond the int range", file, name, v, index);
        }
        return (int) v;
    }

    private GkcException damaged(String format, Object... args) {
        return GkcException.of("damaged MAT file %s: %s", file, String.format(format, args));
    }
}
