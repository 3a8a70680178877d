package org.gkc4j.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import org.gkc4j.config.Configs;
import org.gkc4j.io.AtomicFiles;
import org.gkc4j.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Weights kept at {@code evaluation.atSteps}, scored into metrics_by_step.json, and a study's curves over them. */
class TrainingLengthTest {
    @TempDir
    Path dir;

    private RunConfig config(int iterations, String atSteps) {
        List<String> overrides = new ArrayList<>(TinyRuns.overrides(dir.resolve("cache"), iterations));
        overrides.add("evaluation.atSteps=" + atSteps);
        return Configs.load(RunConfig.class, RunConfig.defaults(), Path.of("../configs/demo.yaml"), overrides);
    }

    private static Map<String, INDArray> weights(Path file) {
        try (Safetensors st = Safetensors.open(file)) {
            return st.readAll();
        }
    }

    @Test
    void keptWeightsAreScoredAndTheLastStepIsTheFinalRun() throws Exception {
        Path out = dir.resolve("run");
        TrainingRun.run(config(2, "[1, 2]"), out, false);
        Map<Integer, Map<String, Object>> byStep = MetricsByStep.read(out.resolve(TrainingRun.METRICS_BY_STEP));
        assertEquals(List.of(1, 2), new ArrayList<>(byStep.keySet()));
        // the step-2 weights are the run's final weights, so their figures are metrics.json's to the last digit
        JsonNode fin = Configs.JSON.readTree(out.resolve(TrainingRun.METRICS).toFile());
        for (String k : List.of("mIoU", "pAcc", "mIoU_base", "mIoU_novel", "hIoU")) {
            assertEquals(fin.get(k).asDouble(), (Double) byStep.get(2).get(k), 0.0, k);
        }
        Map<String, INDArray> last = weights(TrainingRun.snapshot(out, 2)), fin2 = weights(out.resolve(TrainingRun.WEIGHTS)),
                first = weights(TrainingRun.snapshot(out, 1));
        assertEquals(fin2.keySet(), last.keySet());
        fin2.forEach((k, v) -> assertEquals(v, last.get(k), k));
        assertTrue(first.entrySet().stream().anyMatch(e -> !e.getValue().equals(last.get(e.getKey()))), "step 1 and step 2 weights are the same");

        // a lost entry is scored again from its kept weights, the others are kept as they are
        Map<String, Object> step1 = byStep.get(1);
        byStep.remove(1);
        MetricsByStep.write(out.resolve(TrainingRun.METRICS_BY_STEP), byStep);
        // it is read from the step's own file: damaged, the run stops naming it (two steps of a tiny run score alike,
        // so the figures alone could not tell which weights were scored)
        Path kept = TrainingRun.snapshot(out, 1);
        byte[] good = Files.readAllBytes(kept);
        Files.write(kept, java.util.Arrays.copyOf(good, 100));
        org.gkc4j.GkcException e = org.junit.jupiter.api.Assertions.assertThrows(org.gkc4j.GkcException.class,
                () -> TrainingRun.run(config(2, "[1, 2]"), out, true));
        assertTrue(e.getMessage().contains("step-1.safetensors"), e.getMessage());
        Files.write(kept, good);
        TrainingRun.run(config(2, "[1, 2]"), out, true);
        Map<Integer, Map<String, Object>> again = MetricsByStep.read(out.resolve(TrainingRun.METRICS_BY_STEP));
        assertEquals(step1, again.get(1));
        assertEquals(byStep.get(2), again.get(2));
    }

    @Test
    void aStepOutsideTheRunIsOneLineError() {
        StringWriter err = new StringWriter();
        List<String> overrides = new ArrayList<>(TinyRuns.overrides(dir.resolve("cache"), 2));
        overrides.add("evaluation.atSteps=[1, 5]");
        int code = TinyRuns.run(err, TinyRuns.withOverrides(overrides, "train", "--config", "../configs/demo.yaml", "--out", dir.resolve("bad").toString()));
        assertNotEquals(0, code);
        String e = err.toString().strip();
        assertTrue(e.contains("evaluation.atSteps: 5 is not a training step (1 .. train.iterations = 2)"), e);
        assertFalse(e.contains("\tat "), e);
        assertFalse(Files.exists(dir.resolve("bad").resolve(TrainingRun.CHECKPOINT)));
    }

    @Test
    void curvesOfHandMadeFigures() throws Exception {
        AblationConfig ab = new AblationConfig("premise", "unused.yaml", List.of(), List.of(0L, 1L, 2L),
                List.of(new AblationConfig.Variant("baseline", List.of()), new AblationConfig.Variant("GKC (both)", List.of())));
        // baseline: unseen 10/20/30 at step 100 on seeds 0-2; seed 2 never reached step 200
        write("baseline", 0, new double[][]{{100, 50, 10, 16}, {200, 60, 8, 14}});
        write("baseline", 1, new double[][]{{100, 52, 20, 28}, {200, 62, 12, 19}});
        write("baseline", 2, new double[][]{{100, 54, 30, 38}});
        write("gkc-both", 0, new double[][]{{100, 40, 5, 9}, {200, 45, 25, 32}});
        StudyCurves.write(dir, ab);
        String md = Files.readString(dir.resolve("curves.md"));
        // sample standard deviations: {50,52,54} -> 2, {10,20,30} -> 10, {16,28,38} -> 11.02; {60,62} -> 1.41, {8,12} -> 2.83
        assertTrue(md.contains("| baseline | 100 | 3 | 52.0 ± 2.0 | 20.0 ± 10.0 | 27.3 ± 11.0 |"), md);
        assertTrue(md.contains("| baseline | 200 | 2 | 61.0 ± 1.4 | 10.0 ± 2.8 | 16.5 ± 3.5 |"), md);
        assertTrue(md.contains("| GKC (both) | 200 | 1 | 45.0 ± 0.0 | 25.0 ± 0.0 | 32.0 ± 0.0 |"), md);
        for (String m : List.of("seen", "unseen", "harmonic")) {
            assertTrue(Files.size(dir.resolve("curves-" + m + ".png")) > 0, m);
        }
        JsonNode json = Configs.JSON.readTree(dir.resolve("curves.json").toFile());
        assertEquals(3, json.get("baseline").get("100").get("unseen").size());
    }

    private void write(String variant, int seed, double[][] rows) {
        StringBuilder sb = new StringBuilder("{\"steps\": [");
        for (int i = 0; i < rows.length; i++) {
            double[] r = rows[i];
            sb.append(i > 0 ? "," : "").append(String.format(java.util.Locale.ROOT,
                    "{\"step\": %d, \"mIoU\": 0, \"pAcc\": 0, \"mIoU_base\": %s, \"mIoU_novel\": %s, \"hIoU\": %s}", (int) r[0], r[1], r[2], r[3]));
        }
        Path file = dir.resolve(variant).resolve("seed-" + seed).resolve(TrainingRun.METRICS_BY_STEP);
        try {
            Files.createDirectories(file.getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        AtomicFiles.writeString(file, sb.append("]}").toString());
    }
}
