package org.gkc4j.experiments.spark;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Arrays as Spark moves them: plain {@code float[]} with a shape and a type name (Spark's serialisers break ND4J
 * arrays), and many arrays as one flat {@code float[]} in a fixed order, so a step's gradients or weights are one
 * block to send and to add.
 */
public final class Tensors {
    private Tensors() {
    }

    /** One array: values in C order, its shape and data type. */
    public record Packed(float[] values, long[] shape, String type) implements Serializable {
        public static Packed of(INDArray a) {
            if (a == null) {
                return null;
            }
            INDArray f = a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
            float[] v = f.length() == 0 ? new float[0] : f.dup('c').data().asFloat();
            return new Packed(v, a.shape(), a.dataType().name());
        }

        public INDArray unpack() {
            INDArray f = values.length == 0 ? Nd4j.create(DataType.FLOAT, shape) : Nd4j.create(values, shape, 'c');
            DataType t = DataType.valueOf(type);
            return t == DataType.FLOAT ? f : f.castTo(t);
        }
    }

    /** Named arrays, packed one by one (a model's state, sent once per run). */
    public static LinkedHashMap<String, Packed> pack(Map<String, INDArray> arrays) {
        LinkedHashMap<String, Packed> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, Packed.of(v)));
        return out;
    }

    public static LinkedHashMap<String, INDArray> unpack(Map<String, Packed> packed) {
        LinkedHashMap<String, INDArray> out = new LinkedHashMap<>();
        packed.forEach((k, v) -> out.put(k, v.unpack()));
        return out;
    }

    /** The arrays {@code names} of {@code arrays}, concatenated in that order (float). */
    public static float[] flatten(List<String> names, Map<String, INDArray> arrays) {
        long n = 0;
        List<INDArray> parts = new ArrayList<>();
        for (String k : names) {
            INDArray a = arrays.get(k);
            if (a == null) {
                throw new IllegalArgumentException("no array " + k);
            }
            parts.add(a);
            n += a.length();
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(n + " values are more than one Java array holds");
        }
        float[] out = new float[(int) n];
        int at = 0;
        for (INDArray a : parts) {
            float[] v = (a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT)).dup('c').data().asFloat();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    /** The inverse of {@link #flatten}: arrays shaped like {@code like}'s, in the order of {@code names}. */
    public static Map<String, INDArray> unflatten(float[] flat, List<String> names, Map<String, long[]> shapes) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        int at = 0;
        for (String k : names) {
            long[] shape = shapes.get(k);
            long len = 1;
            for (long d : shape) {
                len *= d;
            }
            float[] v = new float[(int) len];
            System.arraycopy(flat, at, v, 0, v.length);
            at += v.length;
            out.put(k, Nd4j.create(v, shape, 'c'));
        }
        if (at != flat.length) {
            throw new IllegalArgumentException(flat.length + " values for arrays of " + at);
        }
        return out;
    }
}
