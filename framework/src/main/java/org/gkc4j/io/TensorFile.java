package org.gkc4j.io;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A weights file opened for reading, whatever its format (safetensors, a PyTorch checkpoint): named tensors with
 * their types and shapes known before any data is read, plus string metadata. {@link WeightFiles#open} picks the
 * reader by the file's first bytes.
 */
public interface TensorFile extends AutoCloseable {
    /** A tensor's element type as stored and its shape. */
    record Spec(TensorDType dtype, long[] shape) {
    }

    Path path();

    /** Every tensor, in file order. */
    Map<String, Spec> specs();

    /** String metadata (safetensors' {@code __metadata__}; empty for PyTorch files). */
    Map<String, String> metadata();

    /** Reads one tensor as a C-order array; half-precision types are widened to FLOAT. */
    INDArray read(String name);

    /** Reads every tensor, in file order. */
    default LinkedHashMap<String, INDArray> readAll() {
        LinkedHashMap<String, INDArray> out = new LinkedHashMap<>();
        for (String name : specs().keySet()) {
            out.put(name, read(name));
        }
        return out;
    }

    @Override
    void close();
}
