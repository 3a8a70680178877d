package org.gkc4j.io;

import org.gkc4j.GkcException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (versions 1-3, little-endian, C order). Every size is checked against the file before an
 * array is allocated. Types: float64/32/16, int64/32/16/8, uint8/16, bool.
 *
 * <p>Why not ND4J's {@code Nd4j.createFromNpyFile}: it reads float64, int32, uint8 and float16 right, but measured on
 * M2.1 (CPU backend) it aborts the whole JVM on a big-endian file (a native assertion in libnd4j's cnpy), reads a
 * Fortran-order array as if it were C order (wrong values, no error), refuses version-2 headers, reads past the end
 * of a truncated file (garbage values, no error), and allocates whatever a header claims before looking at the data
 * (a 100000x100000x100 header or a negative dimension ends in an OutOfMemoryError for 4 TB / 17 GB). A damaged or
 * hostile input must be one clear line, so this reader checks the header against the file first.
 * {@code Nd4j.toNpyByteArray} writes float64 and int32 that NumPy reads; {@link #write} is kept because it writes a
 * chosen type (e.g. float16) with the same byte conversion as the safetensors writer ({@code TensorBytes}), atomically.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_HEADER = 1 << 20;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final Map<String, TensorDType> TYPES = Map.ofEntries(
            Map.entry("f8", TensorDType.F64), Map.entry("f4", TensorDType.F32), Map.entry("f2", TensorDType.F16),
            Map.entry("i8", TensorDType.I64), Map.entry("i4", TensorDType.I32), Map.entry("i2", TensorDType.I16),
            Map.entry("i1", TensorDType.I8), Map.entry("u1", TensorDType.U8), Map.entry("u2", TensorDType.U16),
            Map.entry("b1", TensorDType.BOOL));

    private Npy() {
    }

    public static INDArray read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw GkcException.of("file not found: %s", file);
        } catch (IOException e) {
            throw GkcException.of("cannot read %s: %s", file, e.getMessage());
        }
        return parse(bytes, file.toString());
    }

    static INDArray parse(byte[] bytes, String source) {
        String where = "damaged .npy file " + source + ": ";
        if (bytes.length < 10) {
            throw new GkcException(where + "too short for the .npy header");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new GkcException(where + "it does not start with the .npy magic string");
            }
        }
        int major = bytes[6] & 0xff;
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen;
        int prefix;
        if (major == 1) {
            headerLen = b.getShort(8) & 0xffff;
            prefix = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new GkcException(where + "too short for the .npy header");
            }
            headerLen = b.getInt(8) & 0xffffffffL;
            prefix = 12;
        } else {
            throw new GkcException(where + "unsupported .npy version " + major);
        }
        if (headerLen > MAX_HEADER || prefix + headerLen > bytes.length) {
            throw new GkcException(where + "header length " + headerLen + " runs past the end of the file");
        }
        String header = new String(bytes, prefix, (int) headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new GkcException(where + "the header lacks descr, fortran_order or shape");
        }
        if (d.group(1).equals(">")) {
            throw new GkcException(where + "big-endian arrays are not supported");
        }
        TensorDType type = TYPES.get(d.group(2) + d.group(3));
        if (type == null) {
            throw new GkcException(where + "unsupported element type " + d.group(2) + d.group(3));
        }
        if (f.group(1).equals("True")) {
            throw new GkcException(where + "Fortran-order arrays are not supported");
        }
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            String t = part.trim();
            if (t.isEmpty()) {
                continue;
            }
            try {
                long v = Long.parseLong(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
                if (v < 0) {
                    throw new NumberFormatException();
                }
                dims.add(v);
            } catch (NumberFormatException e) {
                throw new GkcException(where + "invalid dimension '" + t + "'");
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long count = TensorBytes.elementCount(shape);
        long dataStart = prefix + headerLen;
        if (count < 0 || count > (bytes.length - dataStart) / type.itemSize) {
            throw new GkcException(where + "shape " + java.util.Arrays.toString(shape) + " needs more data than the file holds");
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) dataStart, (int) (count * type.itemSize));
        INDArray arr = TensorBytes.toArray(data, type, shape, true);
        if (type == TensorDType.U8 || type == TensorDType.U16 || type == TensorDType.I16 || type == TensorDType.I8) {
            return arr.castTo(DataType.INT);
        }
        return arr;
    }

    /** Writes FLOAT, DOUBLE, INT, LONG, UBYTE, BOOL (others as float32) in C order, atomically. */
    public static void write(Path file, INDArray arr) {
        TensorDType type = switch (arr.dataType()) {
            case DOUBLE -> TensorDType.F64;
            case INT -> TensorDType.I32;
            case LONG -> TensorDType.I64;
            case UBYTE -> TensorDType.U8;
            case BOOL -> TensorDType.BOOL;
            default -> TensorDType.F32;
        };
        write(file, arr, type);
    }

    public static void write(Path file, INDArray arr, TensorDType type) {
        String descr = switch (type) {
            case F64 -> "<f8";
            case F32 -> "<f4";
            case F16 -> "<f2";
            case I64 -> "<i8";
            case I32 -> "<i4";
            case I16 -> "<i2";
            case I8 -> "|i1";
            case U8 -> "|u1";
            case U16 -> "<u2";
            case BOOL -> "|b1";
            default -> throw new IllegalArgumentException("npy cannot hold " + type);
        };
        StringBuilder shape = new StringBuilder("(");
        long[] dims = arr.shape();
        for (int i = 0; i < dims.length; i++) {
            shape.append(dims[i]).append(i == 0 && dims.length == 1 ? "," : (i < dims.length - 1 ? ", " : ""));
        }
        shape.append(")");
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer data = TensorBytes.toBytes(arr, type);
        AtomicFiles.write(file, out -> {
            ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
            pre.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
            out.write(pre.array());
            out.write(header.getBytes(StandardCharsets.ISO_8859_1));
            out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
        });
    }
}
