package org.gkc4j.pipeline.teacher;

import org.gkc4j.GkcException;
import org.gkc4j.io.Safetensors;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Teacher features of every training segment, computed once per dataset (the teacher is frozen and its input is a
 * deterministic crop of the un-augmented image) and kept on disk as one safetensors file: tensor {@code "sample id"}
 * holds [segments, E] in the sample's segment order, its metadata the segment ids.
 */
public final class TeacherFeatureStore {
    private final Map<String, INDArray> features;
    private final Map<String, long[]> segmentIds;

    public TeacherFeatureStore(Map<String, INDArray> features, Map<String, long[]> segmentIds) {
        this.features = features;
        this.segmentIds = segmentIds;
    }

    public static TeacherFeatureStore empty() {
        return new TeacherFeatureStore(new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    public boolean contains(String sampleId) {
        return features.containsKey(sampleId);
    }

    public void put(String sampleId, long[] ids, INDArray rows) {
        features.put(sampleId, rows);
        segmentIds.put(sampleId, ids);
    }

    /** The teacher feature of one segment, or null if the store lacks it. */
    public INDArray get(String sampleId, long segmentId) {
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

    /** A store with the same segments whose every block of rows [n, E] is {@code rows.apply(block)}. */
    public TeacherFeatureStore mapRows(UnaryOperator<INDArray> rows) {
        Map<String, INDArray> mapped = new LinkedHashMap<>();
        features.forEach((k, v) -> mapped.put(k, rows.apply(v)));
        return new TeacherFeatureStore(mapped, new LinkedHashMap<>(segmentIds));
    }

    /** Every sample's block of rows [n, E], in insertion order. */
    public Collection<INDArray> blocks() {
        return Collections.unmodifiableCollection(features.values());
    }

    public int size() {
        return features.size();
    }

    public int dim() {
        return features.isEmpty() ? 0 : (int) features.values().iterator().next().size(1);
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
