package org.gkc4j.io;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The globals a PyTorch state dict needs, and nothing else: {@code collections.OrderedDict}, the tensor rebuild
 * functions of {@code torch._utils}, the typed storage classes (only inside persistent ids), and in TorchScript
 * archives the {@code __torch__.*} module classes, which become inert {@link ScriptObject}s holding the attributes
 * their BUILD sets, and {@code torch.jit._pickle}'s type tags on list and dict attributes, which pass their value on. Every other global is refused when the pickle names it, before any value could reach it.
 *
 * <p>Tensors come out as {@link TensorView}s (a storage and a view into it, checked against the storage's declared
 * length); the bytes are read later by {@link TorchCheckpoint}.
 */
final class TorchPickleRules implements PickleRules {
    static final int MAX_RANK = 16;
    private static final String TORCHSCRIPT_PREFIX = "__torch__.";
    private static final Pattern STORAGE_KEY = Pattern.compile("[A-Za-z0-9_]{1,64}");
    private static final Map<String, TensorDType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("FloatStorage", TensorDType.F32), Map.entry("HalfStorage", TensorDType.F16),
            Map.entry("BFloat16Storage", TensorDType.BF16), Map.entry("DoubleStorage", TensorDType.F64),
            Map.entry("LongStorage", TensorDType.I64), Map.entry("IntStorage", TensorDType.I32),
            Map.entry("ShortStorage", TensorDType.I16), Map.entry("CharStorage", TensorDType.I8),
            Map.entry("ByteStorage", TensorDType.U8), Map.entry("BoolStorage", TensorDType.BOOL));
    private static final Set<String> REBUILD_TENSOR = Set.of("_rebuild_tensor", "_rebuild_tensor_v2");
    private static final Set<String> REBUILD_PARAMETER = Set.of("_rebuild_parameter", "_rebuild_parameter_with_state");
    /** TorchScript's wrappers that tag a list or dict attribute with its element type; the value passes through. */
    private static final String TORCHSCRIPT_CONTAINERS = "torch.jit._pickle";
    private static final Set<String> CONTAINER_TAGS = Set.of("build_intlist", "build_floatlist", "build_boollist", "build_doublelist",
            "build_tensorlist", "restore_type_tag");

    /** An allowed global, as an inert token. */
    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /** A storage named by a persistent id: entry {@code data/<key>} holding {@code elements} values of {@code dtype}. */
    record Storage(String key, TensorDType dtype, long elements) {
    }

    /** A tensor: {@code size} and {@code stride} (in elements) from {@code offset} into a storage. */
    record TensorView(Storage storage, long offset, long[] size, long[] stride) {
        long elementCount() {
            return TensorBytes.elementCount(size);
        }

        boolean contiguous() {
            long expect = 1;
            for (int d = size.length - 1; d >= 0; d--) {
                if (size[d] != 1 && stride[d] != expect) {
                    return false;
                }
                expect *= size[d];
            }
            return true;
        }
    }

    /**
     * An instance of a TorchScript module class: only its class name and the attributes BUILD gave it. Identity
     * semantics (not a record): a hostile pickle may make attribute graphs cyclic.
     */
    static final class ScriptObject {
        private final String className;
        private final LinkedHashMap<String, Object> attributes = new LinkedHashMap<>();

        ScriptObject(String className) {
            this.className = className;
        }

        String className() {
            return className;
        }

        LinkedHashMap<String, Object> attributes() {
            return attributes;
        }
    }

    private final boolean torchScript;
    private final Map<String, Storage> storages = new HashMap<>();

    TorchPickleRules(boolean torchScript) {
        this.torchScript = torchScript;
    }

    @Override
    public Object global(String module, String name) {
        String q = module + "." + name;
        boolean allowed = q.equals("collections.OrderedDict")
                || module.equals("torch._utils") && (REBUILD_TENSOR.contains(name) || REBUILD_PARAMETER.contains(name))
                || module.equals("torch") && STORAGE_TYPES.containsKey(name)
                || torchScript && (module.startsWith(TORCHSCRIPT_PREFIX) || module.equals(TORCHSCRIPT_CONTAINERS) && CONTAINER_TAGS.contains(name));
        if (!allowed) {
            throw new PickleException("refused the global '" + q + "': a weights file needs only PyTorch's tensor and state-dict types"
                    + (module.startsWith(TORCHSCRIPT_PREFIX) ? " (TorchScript classes only in a TorchScript archive)" : "")
                    + "; nothing was executed");
        }
        return new Global(module, name);
    }

    @Override
    public Object reduce(Object callable, List<Object> args) {
        if (!(callable instanceof Global g)) {
            throw new PickleException("REDUCE on a " + RestrictedUnpickler.typeName(callable) + ", not an allowed global");
        }
        if (g.qualified().equals("collections.OrderedDict")) {
            return orderedDict(args);
        }
        if (g.module().equals("torch._utils") && REBUILD_TENSOR.contains(g.name())) {
            return rebuildTensor(args);
        }
        if (g.module().equals("torch._utils") && REBUILD_PARAMETER.contains(g.name())) {
            if (args.isEmpty() || !(args.get(0) instanceof TensorView t)) {
                throw new PickleException(g.name() + " without a tensor");
            }
            return t;
        }
        if (g.module().equals(TORCHSCRIPT_CONTAINERS) && CONTAINER_TAGS.contains(g.name())) {
            if (args.isEmpty()) {
                throw new PickleException(g.name() + " without a value");
            }
            return args.get(0);
        }
        throw new PickleException("'" + g.qualified() + "' is not something a state dict calls");
    }

    private static LinkedHashMap<Object, Object> orderedDict(List<Object> args) {
        LinkedHashMap<Object, Object> m = new LinkedHashMap<>();
        if (args.isEmpty()) {
            return m;
        }
        if (args.size() == 1 && args.get(0) instanceof List<?> pairs) {
            for (Object p : pairs) {
                if (!(p instanceof List<?> kv) || kv.size() != 2 || !(kv.get(0) instanceof String k)) {
                    throw new PickleException("OrderedDict items must be (str, value) pairs");
                }
                m.put(k, kv.get(1));
            }
            return m;
        }
        throw new PickleException("OrderedDict with unexpected arguments");
    }

    private Object rebuildTensor(List<Object> args) {
        if (args.size() < 4 || !(args.get(0) instanceof Storage s) || !(args.get(1) instanceof Long offset)) {
            throw new PickleException("a tensor rebuild without (storage, offset, size, stride)");
        }
        long[] size = longs(args.get(2), "size");
        long[] stride = longs(args.get(3), "stride");
        if (size.length != stride.length) {
            throw new PickleException("a tensor with " + size.length + " sizes but " + stride.length + " strides");
        }
        if (offset < 0) {
            throw new PickleException("a tensor with negative storage offset " + offset);
        }
        for (int d = 0; d < size.length; d++) {
            if (size[d] < 0 || stride[d] < 0) {
                throw new PickleException("a tensor with negative size or stride: size " + Arrays.toString(size) + ", stride " + Arrays.toString(stride));
            }
        }
        long count = TensorBytes.elementCount(size);
        if (count < 0) {
            throw new PickleException("a tensor of size " + Arrays.toString(size) + " has more elements than a long counts");
        }
        try {
            long last = offset;
            if (count > 0) {
                for (int d = 0; d < size.length; d++) {
                    last = Math.addExact(last, Math.multiplyExact(size[d] - 1, stride[d]));
                }
                if (last >= s.elements()) {
                    throw new PickleException("a tensor view (offset " + offset + ", size " + Arrays.toString(size) + ", stride "
                            + Arrays.toString(stride) + ") reaches element " + last + " of storage " + s.key() + ", which has " + s.elements());
                }
            } else if (offset > s.elements()) {
                throw new PickleException("an empty tensor at offset " + offset + " past the end of storage " + s.key());
            }
        } catch (ArithmeticException e) {
            throw new PickleException("a tensor whose stride x size overflows: size " + Arrays.toString(size) + ", stride " + Arrays.toString(stride));
        }
        return new TensorView(s, offset, size, stride);
    }

    private static long[] longs(Object o, String what) {
        if (!(o instanceof List<?> l)) {
            throw new PickleException("a tensor " + what + " that is a " + RestrictedUnpickler.typeName(o) + ", not a tuple");
        }
        if (l.size() > MAX_RANK) {
            throw new PickleException("a tensor of rank " + l.size() + " (more than " + MAX_RANK + ")");
        }
        long[] v = new long[l.size()];
        for (int i = 0; i < v.length; i++) {
            if (!(l.get(i) instanceof Long x)) {
                throw new PickleException("a tensor " + what + " holding a " + RestrictedUnpickler.typeName(l.get(i)));
            }
            v[i] = x;
        }
        return v;
    }

    @Override
    public Object newObject(Object cls, List<Object> args) {
        if (cls instanceof Global g && g.module().startsWith(TORCHSCRIPT_PREFIX) && args.isEmpty()) {
            return new ScriptObject(g.qualified());
        }
        throw new PickleException("NEWOBJ of " + (cls instanceof Global g ? "'" + g.qualified() + "'" : RestrictedUnpickler.typeName(cls))
                + ": only TorchScript module classes are instantiated, as plain attribute holders");
    }

    @Override
    public Object build(Object target, Object state) {
        if (target instanceof ScriptObject o && state instanceof Map<?, ?> attrs) {
            for (Map.Entry<?, ?> e : attrs.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    throw new PickleException("a TorchScript attribute name that is a " + RestrictedUnpickler.typeName(e.getKey()));
                }
                o.attributes().put(k, e.getValue());
            }
            return o;
        }
        if (target instanceof LinkedHashMap<?, ?> && (state instanceof Map<?, ?> || RestrictedUnpickler.isTuple(state))) {
            return target;   // an OrderedDict's own attributes (state_dict()'s _metadata): nothing a weight needs
        }
        throw new PickleException("BUILD of a " + RestrictedUnpickler.typeName(target) + " from a " + RestrictedUnpickler.typeName(state));
    }

    @Override
    public Object persistentLoad(Object pid) {
        if (!(pid instanceof List<?> t) || t.size() != 5 || !"storage".equals(t.get(0))) {
            throw new PickleException("a persistent id that is not ('storage', type, key, location, size)");
        }
        if (!(t.get(1) instanceof Global g) || !g.module().equals("torch") || !STORAGE_TYPES.containsKey(g.name())) {
            throw new PickleException("a storage whose type is not one of torch's typed storages");
        }
        if (!(t.get(2) instanceof String key) || !STORAGE_KEY.matcher(key).matches()) {
            throw new PickleException("a storage key that is not a short name of letters and digits");
        }
        if (!(t.get(4) instanceof Long elements) || elements < 0) {
            throw new PickleException("storage " + key + " with an invalid element count");
        }
        Storage s = new Storage(key, STORAGE_TYPES.get(g.name()), elements);
        Storage before = storages.putIfAbsent(key, s);
        if (before != null && !before.equals(s)) {
            throw new PickleException("storage " + key + " is described twice, differently");
        }
        return before != null ? before : s;
    }
}
