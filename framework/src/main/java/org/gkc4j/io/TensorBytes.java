package org.gkc4j.io;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Converts between little-endian raw tensor bytes and ND4J arrays. Half-precision types become FLOAT arrays on
 * read (ND4J computes in FLOAT anyway) unless the caller asks to keep them; writing converts back exactly.
 */
public final class TensorBytes {
    private TensorBytes() {
    }

    /** Reads {@code count} elements of {@code type} from {@code buf} (position to limit) into a C-order array. */
    public static INDArray toArray(ByteBuffer buf, TensorDType type, long[] shape, boolean widenHalf) {
        ByteBuffer b = buf.slice().order(ByteOrder.LITTLE_ENDIAN);
        long count = elementCount(shape);
        int n = Math.toIntExact(count);
        INDArray out;
        switch (type) {
            case F32 -> {
                float[] v = new float[n];
                b.asFloatBuffer().get(v);
                out = Nd4j.create(v, shape, 'c');
            }
            case F64 -> {
                double[] v = new double[n];
                b.asDoubleBuffer().get(v);
                out = Nd4j.create(v, shape, 'c');
            }
            case F16, BF16 -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    short s = b.getShort(2 * i);
                    v[i] = type == TensorDType.F16 ? HalfFloats.halfToFloat(s) : HalfFloats.bf16ToFloat(s);
                }
                out = Nd4j.create(v, shape, 'c');
                if (!widenHalf) {
                    out = out.castTo(type.nd4j);
                }
            }
            case I64 -> {
                long[] v = new long[n];
                b.asLongBuffer().get(v);
                out = Nd4j.createFromArray(v).reshape('c', shape);
            }
            case I32 -> {
                int[] v = new int[n];
                b.asIntBuffer().get(v);
                out = Nd4j.createFromArray(v).reshape('c', shape);
            }
            case I16, U16 -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    short s = b.getShort(2 * i);
                    v[i] = type == TensorDType.U16 ? (s & 0xffff) : s;
                }
                out = Nd4j.createFromArray(v).reshape('c', shape).castTo(type == TensorDType.U16 ? DataType.INT : DataType.SHORT);
            }
            case I8, U8, BOOL -> {
                byte[] raw = new byte[n];
                b.get(raw);
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = type == TensorDType.I8 ? raw[i] : (raw[i] & 0xff);
                }
                INDArray ints = Nd4j.createFromArray(v).reshape('c', shape);
                out = type == TensorDType.BOOL ? ints.castTo(DataType.BOOL) : ints.castTo(type == TensorDType.U8 ? DataType.INT : DataType.BYTE);
            }
            default -> throw new IllegalStateException("unhandled type " + type);
        }
        return out;
    }

    /** Little-endian bytes of {@code arr} (C order) written as {@code type}. */
    public static ByteBuffer toBytes(INDArray arr, TensorDType type) {
        INDArray c = arr.dup('c');
        long count = c.length();
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(count * type.itemSize)).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> {
                for (float f : c.castTo(DataType.FLOAT).data().asFloat()) b.putFloat(f);
            }
            case F64 -> {
                for (double d : c.castTo(DataType.DOUBLE).data().asDouble()) b.putDouble(d);
            }
            case F16 -> {
                for (float f : c.castTo(DataType.FLOAT).data().asFloat()) b.putShort(HalfFloats.floatToHalf(f));
            }
            case BF16 -> {
                for (float f : c.castTo(DataType.FLOAT).data().asFloat()) b.putShort(HalfFloats.floatToBf16(f));
            }
            case I64 -> {
                for (long v : c.castTo(DataType.LONG).data().asLong()) b.putLong(v);
            }
            case I32 -> {
                for (int v : c.castTo(DataType.INT).data().asInt()) b.putInt(v);
            }
            case I16, U16 -> {
                for (long v : c.castTo(DataType.LONG).data().asLong()) b.putShort((short) v);
            }
            case I8, U8 -> {
                for (long v : c.castTo(DataType.LONG).data().asLong()) b.put((byte) v);
            }
            case BOOL -> {
                for (long v : c.castTo(DataType.LONG).data().asLong()) b.put((byte) (v != 0 ? 1 : 0));
            }
            default -> throw new IllegalStateException("unhandled type " + type);
        }
        b.flip();
        return b;
    }

    /** Product of the dimensions; -1 if any is negative or the product overflows a long. */
    /**
     * A short digest of named tensors (for cache keys): SHA-256, in the map's order, over every name, shape and float32
     * value; 16 hex digits.
     */
    public static String digest(java.util.Map<String, INDArray> tensors) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            for (var e : tensors.entrySet()) {
                md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update(java.util.Arrays.toString(e.getValue().shape()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update(toBytes(e.getValue(), TensorDType.F32));
            }
            return java.util.HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                return -1;
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return n;
    }
}
