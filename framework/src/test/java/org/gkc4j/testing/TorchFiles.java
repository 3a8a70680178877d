package org.gkc4j.testing;

import org.gkc4j.io.TensorBytes;
import org.gkc4j.io.TensorDType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes PyTorch zip checkpoints byte by byte for tests: a pickle builder with the opcodes {@code torch.save} uses and
 * a stored-entry zip writer, so tests can make well-formed state dicts and hostile variants without Python.
 */
public final class TorchFiles {
    private TorchFiles() {
    }

    /** One tensor as a pickle describes it: a view into storage {@code storageKey} of {@code storageElements}. */
    public record TensorRecord(String name, String storageType, String storageKey, long storageElements, long offset, long[] size, long[] stride) {
        public static TensorRecord contiguous(String name, String storageType, String storageKey, long[] size) {
            long[] stride = new long[size.length];
            long s = 1;
            for (int d = size.length - 1; d >= 0; d--) {
                stride[d] = s;
                s *= size[d];
            }
            return new TensorRecord(name, storageType, storageKey, s, 0, size, stride);
        }
    }

    /** A pickle builder; each method appends one opcode with its operand. */
    public static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Pickle op(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        public Pickle proto() {
            return op(0x80, 2);
        }

        public Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        public Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            out.writeBytes(b);
            return this;
        }

        public Pickle integer(long v) {
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                op('J');
                out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
            } else {
                op(0x8a, 8);
                out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            }
            return this;
        }

        public Pickle mark() {
            return op('(');
        }

        public Pickle tuple() {
            return op('t');
        }

        public Pickle emptyTuple() {
            return op(')');
        }

        public Pickle reduce() {
            return op('R');
        }

        public Pickle ints(long... values) {
            mark();
            for (long v : values) {
                integer(v);
            }
            return tuple();
        }

        /** {@code _rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())}. */
        public Pickle tensor(TensorRecord t) {
            global("torch._utils", "_rebuild_tensor_v2").mark();
            mark().str("storage").global("torch", t.storageType()).str(t.storageKey()).str("cpu").integer(t.storageElements()).tuple().op('Q');
            integer(t.offset()).ints(t.size()).ints(t.stride()).op(0x89);
            global("collections", "OrderedDict").emptyTuple().reduce();
            return tuple().reduce();
        }

        /** {@code OrderedDict} of the tensors (SETITEMS on the reduced dict). */
        public Pickle stateDict(List<TensorRecord> tensors) {
            global("collections", "OrderedDict").emptyTuple().reduce().mark();
            for (TensorRecord t : tensors) {
                str(t.name()).tensor(t);
            }
            return op('u');
        }

        public byte[] stop() {
            op('.');
            return out.toByteArray();
        }

        public byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** Writes a zip of stored (uncompressed) entries, in the given order. */
    public static void zip(Path file, Map<String, byte[]> entries) {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry z = new ZipEntry(e.getKey());
                z.setMethod(ZipEntry.STORED);
                z.setSize(e.getValue().length);
                z.setCompressedSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                z.setCrc(crc.getValue());
                zip.putNextEntry(z);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A {@code torch.save} archive: {@code archive/data.pkl}, the storages, {@code archive/version}. */
    public static void archive(Path file, byte[] pickle, Map<String, byte[]> storages) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", pickle);
        storages.forEach((k, v) -> entries.put("archive/data/" + k, v));
        entries.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        zip(file, entries);
    }

    /**
     * Writes tensors as {@code torch.save(state_dict)} does (one contiguous storage each, of {@code type}); with
     * {@code underModel} the state dict sits under key {@code model} of a checkpoint dict, as detectron2 saves.
     */
    public static void saveStateDict(Path file, Map<String, INDArray> tensors, TensorDType type, boolean underModel) {
        String storageType = switch (type) {
            case F32 -> "FloatStorage";
            case F16 -> "HalfStorage";
            case BF16 -> "BFloat16Storage";
            case F64 -> "DoubleStorage";
            case I64 -> "LongStorage";
            default -> throw new IllegalArgumentException(type.toString());
        };
        List<TensorRecord> records = new java.util.ArrayList<>();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            String key = Integer.toString(storages.size());
            records.add(TensorRecord.contiguous(e.getKey(), storageType, key, e.getValue().shape()));
            ByteBuffer b = TensorBytes.toBytes(e.getValue(), type);
            byte[] raw = new byte[b.remaining()];
            b.get(raw);
            storages.put(key, raw);
        }
        Pickle p = new Pickle().proto();
        if (underModel) {
            p.op('}').mark().str("iteration").integer(99).str("model");
        }
        p.stateDict(records);
        if (underModel) {
            p.op('u');
        }
        archive(file, p.stop(), storages);
    }
}
