package org.gkc4j.pipeline.text;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gkc4j.GkcException;
import org.gkc4j.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CLIP plausibility of each synonym for each training segment, {@code {sample id: {segment id: {synonym: p}}}}
 * (the authors' {@code syn_class_train2017.json}, keyed by our sample ids), written by {@code gkc synonyms score}.
 */
public final class SynonymScores {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Map<String, Map<String, Double>>> scores;

    public SynonymScores(Map<String, Map<String, Map<String, Double>>> scores) {
        this.scores = scores;
    }

    public static SynonymScores empty() {
        return new SynonymScores(new LinkedHashMap<>());
    }

    /** The probabilities of one segment's candidates, or an empty map if unknown. */
    public Map<String, Double> of(String sampleId, long segmentId) {
        return scores.getOrDefault(sampleId, Map.of()).getOrDefault(Long.toString(segmentId), Map.of());
    }

    public void put(String sampleId, long segmentId, Map<String, Double> probabilities) {
        scores.computeIfAbsent(sampleId, k -> new LinkedHashMap<>()).put(Long.toString(segmentId), probabilities);
    }

    public int samples() {
        return scores.size();
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
