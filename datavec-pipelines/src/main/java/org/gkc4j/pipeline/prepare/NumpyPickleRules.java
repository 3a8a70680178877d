package org.gkc4j.pipeline.prepare;

import org.gkc4j.io.PickleRules;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The globals a pickled dataset index may name: NumPy arrays and dtypes ({@code numpy.core.multiarray._reconstruct}
 * or NumPy 2's {@code numpy._core.multiarray._reconstruct}, {@code numpy.ndarray}, {@code numpy.dtype}) and, for
 * protocol-2 pickles, {@code _codecs.encode(str, "latin1")} for their raw bytes. Arrays become inert {@link NdArray}
 * values (shape, dtype, raw bytes or, for object arrays, the list of elements); nothing else is allowed. A separate
 * allow-list from the weights reader's, so reading dataset indexes does not widen what a weights file may name.
 */
final class NumpyPickleRules implements PickleRules {
    private enum Global { RECONSTRUCT, NDARRAY, DTYPE, ENCODE }

    /** A NumPy array as pickled: filled by BUILD (numpy's {@code __setstate__}); the raw data is not interpreted. */
    static final class NdArray {
        List<Object> shape = List.of();
        Object dtype;
        /** {@code byte[]} for numeric arrays, {@code List<Object>} for object arrays. */
        Object data;
    }

    /** A NumPy dtype: its name ({@code "i4"}, {@code "O"}, ...) and, after BUILD, its byte order. */
    static final class DType {
        final String name;
        String byteOrder = "|";

        DType(String name) {
            this.name = name;
        }
    }

    @Override
    public Object global(String module, String name) {
        return switch (module + "." + name) {
            case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct" -> Global.RECONSTRUCT;
            case "numpy.ndarray" -> Global.NDARRAY;
            case "numpy.dtype" -> Global.DTYPE;
            case "_codecs.encode" -> Global.ENCODE;
            default -> throw new PickleException("the global " + module + "." + name + " is not allowed in a dataset index "
                    + "(only NumPy arrays and dtypes are)");
        };
    }

    @Override
    public Object reduce(Object callable, List<Object> args) {
        if (callable == Global.RECONSTRUCT && args.size() == 3 && args.get(0) == Global.NDARRAY) {
            return new NdArray();
        }
        if (callable == Global.DTYPE && !args.isEmpty() && args.get(0) instanceof String name && name.length() <= 16) {
            return new DType(name);
        }
        if (callable == Global.ENCODE && args.size() == 2 && args.get(0) instanceof String s && "latin1".equals(args.get(1))) {
            return s.getBytes(StandardCharsets.ISO_8859_1);
        }
        throw new PickleException("a call of " + callable + " with " + args.size() + " arguments is not a NumPy array or dtype construction");
    }

    @Override
    public Object newObject(Object cls, List<Object> args) {
        throw new PickleException("NEWOBJ is not allowed in a dataset index");
    }

    @Override
    public Object build(Object target, Object state) {
        if (target instanceof DType d && state instanceof List<?> s && s.size() >= 2 && s.get(1) instanceof String order) {
            d.byteOrder = order;
            return d;
        }
        if (target instanceof NdArray a && state instanceof List<?> s && s.size() == 5 && s.get(1) instanceof List<?> shape
                && s.get(2) instanceof DType dtype && (s.get(4) instanceof byte[] || s.get(4) instanceof List<?>)) {
            for (Object dim : shape) {
                if (!(dim instanceof Long n) || n < 0) {
                    throw new PickleException("a NumPy array with the dimension " + dim);
                }
            }
            @SuppressWarnings("unchecked")
            List<Object> dims = (List<Object>) shape;
            a.shape = List.copyOf(dims);
            a.dtype = dtype;
            a.data = s.get(4);
            return a;
        }
        throw new PickleException("BUILD of " + (target == null ? "None" : target.getClass().getSimpleName()) + " is not a NumPy array or dtype state");
    }

    @Override
    public Object persistentLoad(Object pid) {
        throw new PickleException("persistent ids are not allowed in a dataset index");
    }
}
