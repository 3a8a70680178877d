package org.gkc4j.io;

import org.nd4j.linalg.api.buffer.DataType;

import java.util.Locale;
import java.util.Optional;

/** Element types that tensor files (safetensors, npy) carry, with their ND4J counterparts. */
public enum TensorDType {
    F64(8, DataType.DOUBLE), F32(4, DataType.FLOAT), F16(2, DataType.HALF), BF16(2, DataType.BFLOAT16),
    I64(8, DataType.LONG), I32(4, DataType.INT), I16(2, DataType.SHORT), I8(1, DataType.BYTE),
    U8(1, DataType.UBYTE), U16(2, DataType.UINT16), BOOL(1, DataType.BOOL);

    public final int itemSize;
    public final DataType nd4j;

    TensorDType(int itemSize, DataType nd4j) {
        this.itemSize = itemSize;
        this.nd4j = nd4j;
    }

    public static Optional<TensorDType> parse(String name) {
        try {
            return Optional.of(valueOf(name.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public static TensorDType of(DataType type) {
        for (TensorDType t : values()) {
            if (t.nd4j == type) {
                return t;
            }
        }
        throw new IllegalArgumentException("no tensor-file type for ND4J type " + type);
    }

    public boolean isFloating() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }
}
