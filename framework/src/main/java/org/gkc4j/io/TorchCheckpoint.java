package org.gkc4j.io;

import org.gkc4j.GkcException;
import org.gkc4j.io.TorchPickleRules.ScriptObject;
import org.gkc4j.io.TorchPickleRules.Storage;
import org.gkc4j.io.TorchPickleRules.TensorView;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tensors of a PyTorch zip checkpoint, read without Python and without running anything the file names.
 *
 * <p>Two layouts share the format ({@code <prefix>/data.pkl}, raw little-endian storages {@code <prefix>/data/<key>},
 * {@code <prefix>/version}):
 * <ul>
 * <li>{@code torch.save} files: the pickle is a state dict ({@code OrderedDict} or dict of tensors), or a
 * checkpoint dict whose state dict sits under {@code model} (detectron2, GKC's training) or {@code state_dict}.</li>
 * <li>TorchScript archives ({@code torch.jit.save}, OpenAI's published CLIP files): the pickle is the module tree;
 * every tensor attribute that its class declares as a parameter or buffer in {@code code/} comes out under its
 * dotted path ({@code visual.conv1.weight}); other attributes ({@code training}, ints) are skipped.</li>
 * </ul>
 * The pickle goes through {@link RestrictedUnpickler} with {@link TorchPickleRules}; every storage and view is checked
 * against its entry's size when the file is opened, before any tensor is read. Legacy (pre-1.6) non-zip files are
 * recognised by {@link WeightFiles} and refused there.
 */
public final class TorchCheckpoint implements TensorFile {
    private static final int MAX_MODULE_DEPTH = 64;
    private static final int MAX_MODULES = 1_000_000;

    private final Path path;
    private final BoundedZip zip;
    private final String prefix;
    private final boolean torchScript;
    private final Map<String, TensorView> tensors;

    private TorchCheckpoint(Path path, BoundedZip zip, String prefix, boolean torchScript, Map<String, TensorView> tensors) {
        this.path = path;
        this.zip = zip;
        this.prefix = prefix;
        this.torchScript = torchScript;
        this.tensors = tensors;
    }

    public static TorchCheckpoint open(Path path) {
        BoundedZip zip = BoundedZip.open(path, "PyTorch checkpoint");
        try {
            return parse(path, zip);
        } catch (RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    private static TorchCheckpoint parse(Path path, BoundedZip zip) {
        String prefix = recordPrefix(path, zip);
        boolean torchScript = zip.contains(prefix + "constants.pkl") || zip.names().stream().anyMatch(n -> n.startsWith(prefix + "code/"));
        String pickleEntry = prefix + "data.pkl";
        byte[] pickle = zip.read(pickleEntry, RestrictedUnpickler.MAX_PICKLE_BYTES);
        Object root = RestrictedUnpickler.load("PyTorch file " + path + " (" + pickleEntry + ")", pickle, new TorchPickleRules(torchScript));
        LinkedHashMap<String, TensorView> found = new LinkedHashMap<>();
        if (root instanceof ScriptObject module) {
            TorchScriptDeclarations declared = TorchScriptDeclarations.read(zip, prefix);
            walkModule(path, module, "", declared, found, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
        } else if (root instanceof Map<?, ?> dict) {
            collect(stateDictOf(dict), found);
        } else {
            throw GkcException.of("%s holds a %s, not a state dict or a TorchScript module", path, RestrictedUnpickler.typeName(root));
        }
        if (found.isEmpty()) {
            throw GkcException.of("%s holds no tensors (neither a state dict, nor one under 'model' or 'state_dict')", path);
        }
        for (Map.Entry<String, TensorView> e : found.entrySet()) {
            Storage s = e.getValue().storage();
            String entry = prefix + "data/" + s.key();
            if (!zip.contains(entry)) {
                throw GkcException.of("damaged PyTorch file %s: tensor '%s' needs storage entry %s, which is missing", path, e.getKey(), entry);
            }
            long have = zip.size(entry);
            if (s.elements() > have / s.dtype().itemSize) {
                throw GkcException.of("damaged PyTorch file %s: storage %s of tensor '%s' claims %d %s elements but its entry holds %d bytes",
                        path, s.key(), e.getKey(), s.elements(), s.dtype(), have);
            }
        }
        return new TorchCheckpoint(path, zip, prefix, torchScript, Collections.unmodifiableMap(found));
    }

    /** The folder every record sits in ({@code archive/}, or the name the file was saved under). */
    private static String recordPrefix(Path path, BoundedZip zip) {
        List<String> pickles = zip.names().stream().filter(n -> n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length()).toList();
        if (pickles.size() != 1) {
            throw GkcException.of("%s is a zip archive but not a PyTorch checkpoint (%s)", path,
                    pickles.isEmpty() ? "no <name>/data.pkl in it" : "it has " + pickles.size() + " data.pkl records");
        }
        return pickles.get(0).substring(0, pickles.get(0).length() - "data.pkl".length());
    }

    private static Map<?, ?> stateDictOf(Map<?, ?> root) {
        for (String key : List.of("model", "state_dict")) {
            if (root.get(key) instanceof Map<?, ?> inner && inner.values().stream().anyMatch(v -> v instanceof TensorView)) {
                return inner;
            }
        }
        return root;
    }

    private static void collect(Map<?, ?> dict, Map<String, TensorView> out) {
        dict.forEach((k, v) -> {
            if (k instanceof String name && v instanceof TensorView t) {
                out.put(name, t);
            }
        });
    }

    private static void walkModule(Path path, ScriptObject module, String at, TorchScriptDeclarations declared, Map<String, TensorView> out,
                                   Set<ScriptObject> seen, int depth) {
        if (depth > MAX_MODULE_DEPTH) {
            throw GkcException.of("%s: TorchScript modules nested more than %d deep at '%s'", path, MAX_MODULE_DEPTH, at);
        }
        if (!seen.add(module)) {
            return;
        }
        if (seen.size() > MAX_MODULES) {
            throw GkcException.of("%s: more than %d TorchScript modules", path, MAX_MODULES);
        }
        Optional<Set<String>> state = declared.stateNames(module.className());
        for (Map.Entry<String, Object> a : module.attributes().entrySet()) {
            if (a.getValue() instanceof TensorView t && state.map(s -> s.contains(a.getKey())).orElse(true)) {
                out.put(at + a.getKey(), t);
            } else if (a.getValue() instanceof ScriptObject child) {
                walkModule(path, child, at + a.getKey() + ".", declared, out, seen, depth + 1);
            }
        }
    }

    @Override
    public Path path() {
        return path;
    }

    /** Whether the file is a TorchScript archive (a module tree) rather than a {@code torch.save} state dict. */
    public boolean torchScript() {
        return torchScript;
    }

    @Override
    public Map<String, Spec> specs() {
        Map<String, Spec> m = new LinkedHashMap<>();
        tensors.forEach((k, t) -> m.put(k, new Spec(t.storage().dtype(), t.size().clone())));
        return Collections.unmodifiableMap(m);
    }

    /** None: nothing in a PyTorch file is string metadata. */
    @Override
    public Map<String, String> metadata() {
        return Map.of();
    }

    @Override
    public INDArray read(String name) {
        TensorView t = tensors.get(name);
        if (t == null) {
            throw GkcException.of("%s has no tensor named '%s'", path, name);
        }
        int item = t.storage().dtype().itemSize;
        long count = t.elementCount();
        if (count > BoundedZip.MAX_ENTRY_BYTES / item) {
            throw GkcException.of("tensor '%s' in %s has %d elements, more than one array can hold", name, path, count);
        }
        byte[] storage = zip.read(prefix + "data/" + t.storage().key(), BoundedZip.MAX_ENTRY_BYTES);
        ByteBuffer bytes = t.contiguous()
                ? ByteBuffer.wrap(storage, (int) (t.offset() * item), (int) (count * item))
                : ByteBuffer.wrap(gather(storage, t, item, (int) count));
        return TensorBytes.toArray(bytes, t.storage().dtype(), t.size(), true);
    }

    /** The elements of a strided view, copied into C order. */
    private static byte[] gather(byte[] storage, TensorView t, int item, int count) {
        long[] size = t.size(), stride = t.stride();
        byte[] out = new byte[count * item];
        long[] index = new long[size.length];
        long src = t.offset();
        for (int i = 0; i < count; i++) {
            System.arraycopy(storage, (int) (src * item), out, i * item, item);
            for (int d = size.length - 1; d >= 0; d--) {
                index[d]++;
                src += stride[d];
                if (index[d] < size[d]) {
                    break;
                }
                src -= stride[d] * size[d];
                index[d] = 0;
            }
        }
        return out;
    }

    @Override
    public void close() {
        zip.close();
    }
}
