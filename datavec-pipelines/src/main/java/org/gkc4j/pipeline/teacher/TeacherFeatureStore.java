package org.gkc4j.pipeline.teacher;

import org.gkc4j.GkcException;
import org.gkc4j.io.Safetensors;
import org.gkc4j.pipeline.ShardedCache;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Teacher features of every training segment, computed once per dataset (the teacher is frozen and its input is a
 * deterministic crop of the un-augmented image). A block of rows [segments, E] per sample, in the sample's segment
 * order, with the segment ids beside it. On disk one safetensors file holds a set of samples (tensor {@code "sample
 * id"}, metadata the segment ids); a dataset's store is a {@link ShardedCache} of such files, read a few at a time.
 */
public final class TeacherFeatureStore {
    /** One shard of a dataset's store: a store in memory, one safetensors file. */
    public static final ShardedCache.Codec<TeacherFeatureStore> SHARDS = ShardedCache.Codec.of(".safetensors", TeacherFeatureStore::read, TeacherFeatureStore::write);

    private final Map<String, INDArray> features;
    private final Map<String, long[]> segmentIds;
    private final ShardedCache<TeacherFeatureStore> shards;
    private final UnaryOperator<INDArray> rows;

    public TeacherFeatureStore(Map<String, INDArray> features, Map<String, long[]> segmentIds) {
        this(features, segmentIds, null, UnaryOperator.identity());
    }

    private TeacherFeatureStore(Map<String, INDArray> features, Map<String, long[]> segmentIds, ShardedCache<TeacherFeatureStore> shards,
                                UnaryOperator<INDArray> rows) {
        this.features = features;
        this.segmentIds = segmentIds;
        this.shards = shards;
        this.rows = rows;
    }

    public static TeacherFeatureStore empty() {
        return new TeacherFeatureStore(new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    /** A dataset's store on disk, read shard by shard as samples are asked for. */
    public static TeacherFeatureStore sharded(ShardedCache<TeacherFeatureStore> cache) {
        return new TeacherFeatureStore(Map.of(), Map.of(), cache, UnaryOperator.identity());
    }

    public boolean contains(String sampleId) {
        return shards == null ? features.containsKey(sampleId) : shards.shardOf(sampleId) != null;
    }

    public void put(String sampleId, long[] ids, INDArray rows) {
        if (shards != null) {
            throw new IllegalStateException("a store on disk is read-only");
        }
        features.put(sampleId, rows);
        segmentIds.put(sampleId, ids);
    }

    /** The teacher feature of one segment, or null if the store lacks it. */
    public INDArray get(String sampleId, long segmentId) {
        if (shards != null) {
            TeacherFeatureStore shard = shards.shardOf(sampleId);
            INDArray f = shard == null ? null : shard.get(sampleId, segmentId);
            return f == null ? null : rows.apply(f.reshape(1, -1)).reshape(-1);
        }
        long[] ids = segmentIds.get(sampleId);
        if (ids == null) {
            return null;
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == segmentId) {
                return features.get(sampleId).getRow(i);
            }
        }
        return null;
    }

    /**
     * A store with the same segments whose every block of rows [n, E] is {@code rows.apply(block)}; row-wise
     * functions only (a store on disk applies it to one row at a time, when the row is read).
     */
    public TeacherFeatureStore mapRows(UnaryOperator<INDArray> rows) {
        if (shards != null) {
            UnaryOperator<INDArray> before = this.rows;
            return new TeacherFeatureStore(Map.of(), Map.of(), shards, b -> rows.apply(before.apply(b)));
        }
        Map<String, INDArray> mapped = new LinkedHashMap<>();
        features.forEach((k, v) -> mapped.put(k, rows.apply(v)));
        return new TeacherFeatureStore(mapped, new LinkedHashMap<>(segmentIds));
    }

    /** Every sample's block of rows [n, E], in sample order; a store on disk reads them shard by shard. */
    public Iterable<INDArray> blocks() {
        if (shards == null) {
            return Collections.unmodifiableCollection(features.values());
        }
        return () -> new java.util.Iterator<>() {
            private int shard = 0;
            private java.util.Iterator<INDArray> inShard = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!inShard.hasNext() && shard < shards.shardCount()) {
                    inShard = shards.shard(shard++).blocks().iterator();
                }
                return inShard.hasNext();
            }

            @Override
            public INDArray next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return rows.apply(inShard.next());
            }
        };
    }

    /** The ids of the samples held in memory (a shard's, or an in-memory store's), in insertion order. */
    public java.util.Set<String> sampleIds() {
        return Collections.unmodifiableSet(segmentIds.keySet());
    }

    /** The number of samples. */
    public int size() {
        return shards == null ? features.size() : shards.samples();
    }

    public int dim() {
        java.util.Iterator<INDArray> it = blocks().iterator();
        return it.hasNext() ? (int) it.next().size(1) : 0;
    }

    public void write(Path file) {
        Map<String, String> meta = new LinkedHashMap<>();
        segmentIds.forEach((k, ids) -> meta.put(k, java.util.Arrays.toString(ids)));
        Safetensors.write(file, new LinkedHashMap<>(features), meta);
    }

    public static TeacherFeatureStore read(Path file) {
        if (!Files.exists(file)) {
            throw GkcException.of("teacher features not found: %s", file);
        }
        try (Safetensors st = Safetensors.open(file)) {
            Map<String, INDArray> f = new LinkedHashMap<>();
            Map<String, long[]> ids = new LinkedHashMap<>();
            for (String k : st.entries().keySet()) {
                f.put(k, st.read(k));
                String list = st.metadata().get(k);
                if (list == null) {
                    throw GkcException.of("teacher features %s: no segment ids for '%s'", file, k);
                }
                String body = list.replace("[", "").replace("]", "").trim();
                ids.put(k, body.isEmpty() ? new long[0] : java.util.Arrays.stream(body.split(",")).mapToLong(s -> Long.parseLong(s.trim())).toArray());
            }
            return new TeacherFeatureStore(f, ids);
        }
    }
}
