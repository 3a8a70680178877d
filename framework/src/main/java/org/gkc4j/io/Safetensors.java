package org.gkc4j.io;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.gkc4j.GkcException;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reader and writer of the safetensors format: an 8-byte little-endian header length, a JSON header naming every
 * tensor's type, shape and byte range, then the raw little-endian data. The reader validates every length and offset
 * against the file size before touching data, so a truncated or hostile file is one clear error; tensor data is
 * memory-mapped and copied only when a tensor is read.
 */
public final class Safetensors implements TensorFile {
    /** The format's own bound on header size. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final int MAX_RANK = 16;
    static final ObjectMapper JSON = JsonMapper.builder().build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(8).maxNumberLength(40).maxStringLength(1 << 20).build());
    }

    /** One tensor's header entry; offsets are relative to the start of the data section. */
    public record Entry(String name, TensorDType dtype, long[] shape, long begin, long end) {
        public long elementCount() {
            return TensorBytes.elementCount(shape);
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private Safetensors(Path path, FileChannel channel, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static Safetensors open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw GkcException.of("weights file not found: %s", path);
        } catch (IOException e) {
            throw GkcException.of("cannot open %s: %s", path, e.getMessage());
        }
        try {
            return parse(path, ch);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static Safetensors parse(Path path, FileChannel ch) {
        String where = "damaged safetensors file " + path + ": ";
        try {
            long size = ch.size();
            if (size < 8) {
                throw new GkcException(where + (size == 0 ? "the file is empty" : "only " + size + " bytes, shorter than the 8-byte header length"));
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw new GkcException(where + "header length " + Long.toUnsignedString(headerLen) + " is not between 2 and " + MAX_HEADER_BYTES + " bytes");
            }
            if (headerLen > size - 8) {
                throw new GkcException(where + "header claims " + headerLen + " bytes but only " + (size - 8) + " follow");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            JsonNode root;
            try {
                root = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new GkcException(where + "the header is not valid JSON (" + firstLine(e.getMessage()) + ")");
            }
            if (root == null || !root.isObject()) {
                throw new GkcException(where + "the header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> list = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("__metadata__")) {
                    if (!f.getValue().isObject()) {
                        throw new GkcException(where + "__metadata__ is not an object");
                    }
                    f.getValue().fields().forEachRemaining(m -> {
                        if (!m.getValue().isTextual()) {
                            throw new GkcException(where + "metadata value for '" + m.getKey() + "' is not a string");
                        }
                        metadata.put(m.getKey(), m.getValue().asText());
                    });
                    continue;
                }
                list.add(entry(where, f.getKey(), f.getValue(), dataLen));
            }
            List<Entry> byOffset = new ArrayList<>(list);
            byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            for (int i = 1; i < byOffset.size(); i++) {
                Entry a = byOffset.get(i - 1), b = byOffset.get(i);
                if (b.begin() < a.end()) {
                    throw new GkcException(where + "tensors '" + a.name() + "' and '" + b.name() + "' overlap");
                }
            }
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (Entry e : byOffset) {
                entries.put(e.name(), e);
            }
            return new Safetensors(path, ch, dataStart, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            throw new GkcException(where + e.getMessage(), e);
        }
    }

    private static Entry entry(String where, String name, JsonNode node, long dataLen) {
        String at = where + "tensor '" + name + "' ";
        if (!node.isObject()) {
            throw new GkcException(at + "is not described by an object");
        }
        JsonNode dt = node.get("dtype"), sh = node.get("shape"), off = node.get("data_offsets");
        if (dt == null || !dt.isTextual() || sh == null || !sh.isArray() || off == null || !off.isArray() || off.size() != 2) {
            throw new GkcException(at + "lacks dtype, shape or data_offsets");
        }
        TensorDType type = TensorDType.parse(dt.asText()).orElseThrow(() -> new GkcException(at + "has unsupported dtype " + dt.asText()));
        if (sh.size() > MAX_RANK) {
            throw new GkcException(at + "has rank " + sh.size() + " (more than " + MAX_RANK + ")");
        }
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToExactIntegral() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new GkcException(at + "has an invalid dimension " + d);
            }
            shape[i] = d.asLong();
        }
        for (JsonNode o : off) {
            if (!o.canConvertToExactIntegral() || !o.canConvertToLong() || o.asLong() < 0) {
                throw new GkcException(at + "has an invalid data offset " + o);
            }
        }
        long begin = off.get(0).asLong(), end = off.get(1).asLong();
        if (begin > end || end > dataLen) {
            throw new GkcException(at + "claims bytes [" + begin + ", " + end + ") but the data section has " + dataLen + " bytes");
        }
        long count = TensorBytes.elementCount(shape);
        if (count < 0 || count > Long.MAX_VALUE / type.itemSize || count * type.itemSize != end - begin) {
            throw new GkcException(at + "has shape " + java.util.Arrays.toString(shape) + " of " + type + " which does not fit its " + (end - begin) + " bytes");
        }
        return new Entry(name, type, shape, begin, end);
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public Map<String, Spec> specs() {
        Map<String, Spec> m = new LinkedHashMap<>();
        entries.forEach((k, e) -> m.put(k, new Spec(e.dtype(), e.shape())));
        return Collections.unmodifiableMap(m);
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Entries in data order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw GkcException.of("%s has no tensor named '%s'", path, name);
        }
        return e;
    }

    /** Reads a tensor; F16 and BF16 are widened to FLOAT. */
    @Override
    public INDArray read(String name) {
        return read(name, true);
    }

    public INDArray read(String name, boolean widenHalf) {
        Entry e = entry(name);
        long n = e.end() - e.begin();
        if (n > Integer.MAX_VALUE - 16) {
            throw GkcException.of("tensor '%s' in %s is %d bytes, more than one array can hold", name, path, n);
        }
        try {
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), n);
            return TensorBytes.toArray(mapped, e.dtype(), e.shape(), widenHalf);
        } catch (IOException ex) {
            throw GkcException.of("cannot read tensor '%s' from %s: %s", name, path, ex.getMessage());
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    /**
     * Writes tensors (in the given order) and string metadata atomically. FLOAT and DOUBLE arrays keep their type
     * unless {@code types} names another for a key (e.g. F16 to write half precision).
     */
    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata, Map<String, TensorDType> types) {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(m::put);   // sorted: the same tensors give the same bytes whatever the map
        }
        List<ByteBuffer> blobs = new ArrayList<>();
        long offset = 0;
        for (Map.Entry<String, INDArray> t : tensors.entrySet()) {
            TensorDType type = types != null && types.containsKey(t.getKey()) ? types.get(t.getKey()) : TensorDType.of(t.getValue().dataType());
            ByteBuffer bytes = TensorBytes.toBytes(t.getValue(), type);
            ObjectNode e = header.putObject(t.getKey());
            e.put("dtype", type.name());
            var shape = e.putArray("shape");
            for (long d : t.getValue().shape()) {
                shape.add(d);
            }
            var off = e.putArray("data_offsets");
            off.add(offset);
            off.add(offset + bytes.remaining());
            offset += bytes.remaining();
            blobs.add(bytes);
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new GkcException("cannot encode safetensors header: " + e.getMessage(), e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        java.util.Arrays.fill(headerBytes, (byte) ' ');
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(headerBytes);
            for (ByteBuffer b : blobs) {
                out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            }
        });
    }

    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, null);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
        buf.flip();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing useful to do
        }
    }
}
