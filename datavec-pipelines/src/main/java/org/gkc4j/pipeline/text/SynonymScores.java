package org.gkc4j.pipeline.text;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gkc4j.GkcException;
import org.gkc4j.io.AtomicFiles;
import org.gkc4j.pipeline.ShardedCache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CLIP plausibility of each synonym for each training segment, {@code {sample id: {segment id: {synonym: p}}}}
 * (the authors' {@code syn_class_train2017.json}, keyed by our sample ids), written by {@code gkc synonyms score}.
 * A dataset's scores live in a {@link ShardedCache} of such JSON files, read a few at a time.
 */
public final class SynonymScores {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Images per shard of a dataset's scores: a shard is parsed whole when a sample of it is asked for, and training
     * asks in random order, so shards stay small (a thousand-image JSON parsed per training image would cost more than
     * the image).
     */
    public static final int SHARD_SIZE = 100;

    /** One shard of a dataset's scores: one JSON file. */
    public static final ShardedCache.Codec<SynonymScores> SHARDS = ShardedCache.Codec.of(".json", SynonymScores::read, SynonymScores::write);

    private final Map<String, Map<String, Map<String, Double>>> scores;
    private final ShardedCache<SynonymScores> shards;

    public SynonymScores(Map<String, Map<String, Map<String, Double>>> scores) {
        this(scores, null);
    }

    private SynonymScores(Map<String, Map<String, Map<String, Double>>> scores, ShardedCache<SynonymScores> shards) {
        this.scores = scores;
        this.shards = shards;
    }

    public static SynonymScores empty() {
        return new SynonymScores(new LinkedHashMap<>());
    }

    /** A dataset's scores on disk, read shard by shard as samples are asked for. */
    public static SynonymScores sharded(ShardedCache<SynonymScores> cache) {
        return new SynonymScores(Map.of(), cache);
    }

    /** The probabilities of one segment's candidates, or an empty map if unknown. */
    public Map<String, Double> of(String sampleId, long segmentId) {
        if (shards != null) {
            SynonymScores shard = shards.shardOf(sampleId);
            return shard == null ? Map.of() : shard.of(sampleId, segmentId);
        }
        return scores.getOrDefault(sampleId, Map.of()).getOrDefault(Long.toString(segmentId), Map.of());
    }

    public void put(String sampleId, long segmentId, Map<String, Double> probabilities) {
        if (shards != null) {
            throw new IllegalStateException("scores on disk are read-only");
        }
        scores.computeIfAbsent(sampleId, k -> new LinkedHashMap<>()).put(Long.toString(segmentId), probabilities);
    }

    /** The ids of the samples held in memory (a shard's, or scores in memory), in insertion order. */
    public java.util.Set<String> sampleIds() {
        return java.util.Collections.unmodifiableSet(scores.keySet());
    }

    /** The number of samples with scores (of the whole dataset for scores on disk). */
    public int samples() {
        return shards == null ? scores.size() : shards.samples();
    }

    /**
     * Writes the scores of a sharded cache as one JSON file (the format above), streaming: one shard in memory at a
     * time.
     */
    public static void writeMerged(ShardedCache<SynonymScores> cache, Path file) {
        org.gkc4j.io.AtomicFiles.write(file, out -> {
            var gen = JSON.getFactory().createGenerator(out);
            gen.writeStartObject();
            for (int s = 0; s < cache.shardCount(); s++) {
                for (var e : cache.shard(s).scores.entrySet()) {
                    gen.writeFieldName(e.getKey());
                    JSON.writeValue(gen, e.getValue());
                }
            }
            gen.writeEndObject();
            gen.flush();
        });
    }

    public static SynonymScores read(Path file) {
        try {
            return new SynonymScores(JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Map<String, Map<String, Double>>>>() {
            }));
        } catch (IOException e) {
            if (!Files.exists(file)) {
                throw GkcException.of("synonym scores not found: %s", file);
            }
            throw GkcException.of("synonym scores %s are not valid JSON: %s", file, e.getMessage().split("\n")[0]);
        }
    }

    public void write(Path file) {
        try {
            AtomicFiles.writeString(file, JSON.writeValueAsString(scores));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
