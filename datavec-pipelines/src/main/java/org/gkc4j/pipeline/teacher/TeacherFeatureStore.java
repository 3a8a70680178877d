package org.gkc4j.pipeline.teacher;

import org.gkc4j.GkcException;
import org.gkc4j.io.Safetensors;
import org.gkc4j.pipeline.ShardedCache;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
    public static final ShardedCache.Codec<TeacherFeatureStore> SHARDS = ShardedCache.Codec.of(".safetensors", TeacherFeatureStore::open, TeacherFeatureStore::write);

    private final Map<String, INDArray> features;
    private final Map<String, long[]> segmentIds;
    private final ShardedCache<TeacherFeatureStore> shards;
    private final UnaryOperator<INDArray> rows;
    /** A shard file whose rows are read when asked for (only its segment ids are held), or null. */
    private final Path file;
    private volatile int dim = -1;

    public TeacherFeatureStore(Map<String, INDArray> features, Map<String, long[]> segmentIds) {
        this(features, segmentIds, null, UnaryOperator.identity(), null);
    }

    private TeacherFeatureStore(Map<String, INDArray> features, Map<String, long[]> segmentIds, ShardedCache<TeacherFeatureStore> shards,
                                UnaryOperator<INDArray> rows, Path file) {
        this.features = features;
        this.segmentIds = segmentIds;
        this.shards = shards;
        this.rows = rows;
        this.file = file;
    }

    public static TeacherFeatureStore empty() {
        return new TeacherFeatureStore(new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    /** A dataset's store on disk, read shard by shard as samples are asked for. */
    public static TeacherFeatureStore sharded(ShardedCache<TeacherFeatureStore> cache) {
        return new TeacherFeatureStore(Map.of(), Map.of(), cache, UnaryOperator.identity(), null);
    }

    public boolean contains(String sampleId) {
        return shards == null ? segmentIds.containsKey(sampleId) : shards.shardOf(sampleId) != null;
    }

    public void put(String sampleId, long[] ids, INDArray rows) {
        if (shards != null || file != null) {
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
                return block(sampleId).getRow(i);
            }
        }
        return null;
    }

    /** One sample's rows: from memory, or read from the shard file alone (a few kB, not the whole shard). */
    private INDArray block(String sampleId) {
        if (file == null) {
            return features.get(sampleId);
        }
        try (Safetensors st = Safetensors.open(file)) {
            return st.read(sampleId);
        }
    }

    /**
     * A store with the same segments whose every block of rows [n, E] is {@code rows.apply(block)}; row-wise
     * functions only (a store on disk applies it to one row at a time, when the row is read).
     */
    public TeacherFeatureStore mapRows(UnaryOperator<INDArray> rows) {
        if (shards != null) {
            UnaryOperator<INDArray> before = this.rows;
            return new TeacherFeatureStore(Map.of(), Map.of(), shards, b -> rows.apply(before.apply(b)), null);
        }
        Map<String, INDArray> mapped = new LinkedHashMap<>();
        for (String k : segmentIds.keySet()) {
            mapped.put(k, rows.apply(block(k)));
        }
        return new TeacherFeatureStore(mapped, new LinkedHashMap<>(segmentIds));
    }

    /** Every sample's block of rows [n, E], in sample order; a store on disk reads them shard by shard. */
    public Iterable<INDArray> blocks() {
        if (file != null) {
            List<INDArray> all = new java.util.ArrayList<>();
            try (Safetensors st = Safetensors.open(file)) {
                for (String k : segmentIds.keySet()) {
                    all.add(st.read(k));
                }
            }
            return all;
        }
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

    /** The feature width (0 for an empty store); found once, from the first block. */
    public int dim() {
        if (dim < 0) {
            java.util.Iterator<INDArray> it = blocks().iterator();
            dim = it.hasNext() ? (int) it.next().size(1) : 0;
        }
        return dim;
    }

    public void write(Path file) {
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, INDArray> rowsOf = new LinkedHashMap<>();
        segmentIds.forEach((k, ids) -> {
            meta.put(k, java.util.Arrays.toString(ids));
            rowsOf.put(k, block(k));
        });
        Safetensors.write(file, rowsOf, meta);
    }

    /** Every row of a store file, in memory. */
    public static TeacherFeatureStore read(Path file) {
        return load(file, true);
    }

    /**
     * A store file whose segment ids are read now and whose rows are read one sample at a time when asked for: what a
     * shard of a dataset's store is during training, when samples arrive in random order.
     */
    public static TeacherFeatureStore open(Path file) {
        return load(file, false);
    }

    private static TeacherFeatureStore load(Path file, boolean rowsNow) {
        if (!Files.exists(file)) {
            throw GkcException.of("teacher features not found: %s", file);
        }
        try (Safetensors st = Safetensors.open(file)) {
            Map<String, INDArray> f = new LinkedHashMap<>();
            Map<String, long[]> ids = new LinkedHashMap<>();
            for (String k : st.entries().keySet()) {
                if (rowsNow) {
                    f.put(k, st.read(k));
                }
                String list = st.metadata().get(k);
                if (list == null) {
                    throw GkcException.of("teacher features %s: no segment ids for '%s'", file, k);
                }
                String body = list.replace("[", "").replace("]", "").trim();
                ids.put(k, body.isEmpty() ? new long[0] : java.util.Arrays.stream(body.split(",")).mapToLong(s -> Long.parseLong(s.trim())).toArray());
            }
            return rowsNow ? new TeacherFeatureStore(f, ids) : new TeacherFeatureStore(f, ids, null, UnaryOperator.identity(), file);
        }
    }
}
