package org.gkc4j.pipeline;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gkc4j.GkcException;
import org.gkc4j.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A per-sample cache on disk in shards of consecutive samples (shard s holds samples [s n, (s + 1) n) of a source).
 * Each shard is written atomically as soon as it is computed, so an interrupted precomputation resumes at its first
 * missing shard; a finished cache has an index naming the sample ids of every shard. Reading keeps only the
 * {@link #OPEN_SHARDS} most recently used shards in memory, so memory does not grow with the dataset.
 *
 * @param <S> a shard in memory
 */
public final class ShardedCache<S> {
    /** Samples per shard of a cache whose shards are cheap to open (read lazily), such as the teacher features. */
    public static final int DEFAULT_SHARD_SIZE = 1000;
    public static final int OPEN_SHARDS = 2;
    private static final String INDEX = "index.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a shard is stored: its file suffix and the code that reads and writes one. */
    public interface Codec<S> {
        String suffix();

        S read(Path file);

        void write(Path file, S shard);

        /** A codec from a suffix, a reader and a writer. */
        static <S> Codec<S> of(String suffix, Function<Path, S> reader, java.util.function.BiConsumer<S, Path> writer) {
            return new Codec<>() {
                public String suffix() {
                    return suffix;
                }

                public S read(Path file) {
                    return reader.apply(file);
                }

                public void write(Path file, S shard) {
                    writer.accept(shard, file);
                }
            };
        }
    }

    private record Index(int samples, int shardSize, List<List<String>> ids) {
    }

    private final Path dir;
    private final Codec<S> codec;
    private final int shardSize;
    private Map<String, Integer> shardOf;
    private Index index;
    private final LinkedHashMap<Integer, S> open = new LinkedHashMap<>(4, 0.75f, true);

    public ShardedCache(Path dir, Codec<S> codec, int shardSize) {
        if (shardSize < 1) {
            throw new IllegalArgumentException("shard size must be positive");
        }
        this.dir = dir;
        this.codec = codec;
        this.shardSize = shardSize;
    }

    public Path dir() {
        return dir;
    }

    public int shardSize() {
        return shardSize;
    }

    public int shards(int samples) {
        return (samples + shardSize - 1) / shardSize;
    }

    public Path shardFile(int shard) {
        // the shard size is in the name: shards of another size (a changed setting) are never taken for these
        return dir.resolve(String.format("shard-%05d-of-%d%s", shard, shardSize, codec.suffix()));
    }

    /** Whether shard {@code s} was written (by this run or an interrupted earlier one). */
    public boolean hasShard(int shard) {
        return Files.isRegularFile(shardFile(shard));
    }

    public void writeShard(int shard, S content) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw GkcException.of("cannot create the cache folder %s: %s", dir, e.getMessage());
        }
        codec.write(shardFile(shard), content);
    }

    /** Whether the cache is complete for a source of {@code samples} samples at this shard size. */
    public boolean isComplete(int samples) {
        Index ix = readIndex();
        return ix != null && ix.samples() == samples && ix.shardSize() == shardSize && ix.ids().size() == shards(samples)
                && java.util.stream.IntStream.range(0, ix.ids().size()).allMatch(this::hasShard);
    }

    /** Marks the cache complete: {@code ids.get(s)} are the sample ids shard s holds. */
    public void complete(int samples, List<List<String>> ids) {
        try {
            AtomicFiles.writeString(dir.resolve(INDEX), JSON.writeValueAsString(Map.of("samples", samples, "shardSize", shardSize, "ids", ids)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        synchronized (this) {
            shardOf = null;
            index = null;
        }
    }

    /** The shard in memory that holds a sample's entries, or null if no shard does. */
    public synchronized S shardOf(String sampleId) {
        if (shardOf == null) {
            Index ix = finished();
            Map<String, Integer> m = new HashMap<>();
            for (int s = 0; s < ix.ids().size(); s++) {
                for (String id : ix.ids().get(s)) {
                    m.put(id, s);
                }
            }
            shardOf = m;
        }
        Integer s = shardOf.get(sampleId);
        return s == null ? null : shard(s);
    }

    /** Shard {@code s}, read from disk unless it is among the open ones. */
    public synchronized S shard(int s) {
        S shard = open.get(s);
        if (shard == null) {
            shard = codec.read(shardFile(s));
            open.put(s, shard);
            if (open.size() > OPEN_SHARDS) {
                open.remove(open.keySet().iterator().next());
            }
        }
        return shard;
    }

    /** The number of shards of the finished cache. */
    public synchronized int shardCount() {
        return finished().ids().size();
    }

    /** The number of samples of the finished cache. */
    public synchronized int samples() {
        return finished().samples();
    }

    /** The finished cache's index, read once. */
    private Index finished() {
        if (index == null) {
            index = readIndex();
            if (index == null) {
                throw GkcException.of("the cache %s is incomplete (no %s): compute it again", dir, INDEX);
            }
        }
        return index;
    }

    private Index readIndex() {
        Path f = dir.resolve(INDEX);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            Map<String, Object> m = JSON.readValue(f.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {
            });
            @SuppressWarnings("unchecked")
            List<List<String>> ids = (List<List<String>>) m.get("ids");
            return new Index(((Number) m.get("samples")).intValue(), ((Number) m.get("shardSize")).intValue(), ids);
        } catch (IOException | RuntimeException e) {
            throw GkcException.of("the cache index %s is damaged (%s): delete the folder to compute it again", f, e.getMessage());
        }
    }
}
