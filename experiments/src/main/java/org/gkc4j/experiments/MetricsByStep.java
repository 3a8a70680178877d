package org.gkc4j.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.eval.SemSegMetrics;
import org.gkc4j.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code metrics_by_step.json} of a run: the plain test figures of the weights kept at {@code evaluation.atSteps},
 * {@code {"steps": [{"step": 250, "mIoU": .., "pAcc": .., "mIoU_base": .., "mIoU_novel": .., "hIoU": ..}, ...]}}.
 */
public final class MetricsByStep {
    private MetricsByStep() {
    }

    static Map<String, Object> row(int step, SemSegMetrics m) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("step", step);
        r.put("mIoU", m.mIoU());
        r.put("pAcc", m.pAcc());
        r.put("mIoU_base", m.mIoUBase());
        r.put("mIoU_novel", m.mIoUNovel());
        r.put("hIoU", m.hIoU());
        return r;
    }

    /** Step -> figures, in step order; empty when the file does not exist. */
    public static Map<Integer, Map<String, Object>> read(Path file) throws IOException {
        Map<Integer, Map<String, Object>> out = new TreeMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        JsonNode steps = Configs.JSON.readTree(file.toFile()).path("steps");
        if (!steps.isArray()) {
            throw GkcException.of("%s: no \"steps\" list", file);
        }
        for (JsonNode s : steps) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("step", s.path("step").asInt());
            for (String k : List.of("mIoU", "pAcc", "mIoU_base", "mIoU_novel", "hIoU")) {
                r.put(k, s.path(k).isNumber() ? s.path(k).asDouble() : Double.NaN);
            }
            out.put(s.path("step").asInt(), r);
        }
        return out;
    }

    static void write(Path file, Map<Integer, Map<String, Object>> byStep) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("steps", new ArrayList<>(new TreeMap<>(byStep).values()));
        AtomicFiles.writeString(file, Configs.toJson(doc));
    }
}
