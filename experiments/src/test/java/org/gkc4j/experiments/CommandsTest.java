package org.gkc4j.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import org.gkc4j.config.Configs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo and bench commands and a random-search sweep with trials in child JVMs (the train command), each in a short form. */
class CommandsTest {
    @TempDir
    Path dir;

    private List<String> tiny() {
        return TinyRuns.overrides(dir.resolve("cache"), 1);
    }

    /**
     * The demo trains and evaluates configs/demo.yaml with its --set overrides. (The train command runs in the sweep's
     * child JVMs below and in StudiesTest's ablation.)
     */
    @Test
    void demoRunsTheDemoConfigWithItsOverrides() throws Exception {
        String home = System.getProperty("gkc.home");
        System.setProperty("gkc.home", "..");
        Path out = dir.resolve("demo");
        try {
            StringWriter err = new StringWriter();
            assertEquals(0, TinyRuns.run(err, TinyRuns.withOverrides(tiny(), "demo", "--out", out.toString())), err.toString());
        } finally {
            if (home == null) {
                System.clearProperty("gkc.home");
            } else {
                System.setProperty("gkc.home", home);
            }
        }
        assertEquals(1, TrainingRun.readLog(out.resolve(TrainingRun.METRICS_LOG)).size());
        RunConfig want = Configs.load(RunConfig.class, RunConfig.defaults(), Path.of("../configs/demo.yaml"), tiny());
        RunConfig got = Configs.load(RunConfig.class, RunConfig.defaults(), out.resolve(TrainingRun.CONFIG), List.of());
        assertEquals(Configs.toYaml(want), Configs.toYaml(got));
        JsonNode m = Configs.JSON.readTree(out.resolve(TrainingRun.METRICS).toFile());
        for (String k : List.of("mIoU_base", "mIoU_novel", "hIoU")) {
            assertTrue(m.has(k) && Double.isFinite(m.get(k).asDouble()), k);
        }
        for (String f : List.of("report.md", "metrics_calibrated.json", TrainingRun.CHECKPOINT)) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
    }

    @Test
    void benchModelPrintsItsTableOnATinyNetwork() {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int code;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            code = TinyRuns.run(err, "bench", "model", "--config", "../configs/model/tiny.yaml", "--size", "32", "--classes", "5", "--reps", "1");
        } finally {
            System.setOut(saved);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, err + out);
        assertTrue(out.contains("model ../configs/model/tiny.yaml: ") && out.contains("input 32x32"), out);
        for (String row : List.of("| forward (inference, 5 classes) | ", "| training step (forward for matching, forward+backward, update), batch 1 | ")) {
            String line = out.lines().filter(l -> l.startsWith(row)).findFirst().orElseThrow(() -> new AssertionError(row + " missing in\n" + out));
            double seconds = Double.parseDouble(line.substring(row.length()).replace("|", "").trim());
            assertTrue(seconds > 0, line);
        }
        assertTrue(out.contains("peak RSS"), out);
    }

    /** Arbiter's random search: two trials in fresh JVMs (the default launcher), drawn from the space, ranked by their own metrics. */
    @Test
    void randomSweepRunsItsTrialsInChildJvms() throws Exception {
        Path cfg = dir.resolve("sweep.yaml");
        Files.writeString(cfg, String.join("\n",
                "title: tiny random sweep",
                "base: " + Path.of("../configs/demo.yaml").toAbsolutePath().normalize(),
                "strategy: random",
                "trials: 2",
                "seed: 3",
                "objective: hIoU",
                "space:",
                "  distillation.weight: {type: double, min: 0.5, max: 10, log: true}",
                "  criterion.classWeight: {type: choice, values: [\"1\", \"5\"]}", ""));
        Path out = dir.resolve("sweep");
        StringWriter err = new StringWriter();
        assertEquals(0, TinyRuns.run(err, TinyRuns.withOverrides(tiny(), "sweep", "--config", cfg.toString(), "--out", out.toString())), err.toString());

        List<String> rows = Files.readString(out.resolve("results.md")).lines().filter(l -> l.matches("\\| \\d+ \\| \\d+ \\|.*")).toList();
        assertEquals(2, rows.size(), rows.toString());
        Set<Double> weights = new HashSet<>();
        for (String row : rows) {
            Path trial = out.resolve("trial-" + row.split("\\|")[2].trim());
            // the child-process launcher hands its run the resolved config in this file; in-process runs have none
            assertTrue(Files.exists(trial.resolve("requested-config.yaml")), trial + " did not run in a child JVM");
            RunConfig rc = Configs.load(RunConfig.class, RunConfig.defaults(), trial.resolve(TrainingRun.CONFIG), List.of());
            double w = rc.distillation().weight();
            assertTrue(w >= 0.5 && w <= 10, "distillation.weight " + w + " outside its space");
            assertTrue(rc.criterion().classWeight() == 1.0 || rc.criterion().classWeight() == 5.0, "classWeight " + rc.criterion().classWeight());
            assertTrue(row.contains("distillation.weight="), row);
            assertEquals(w, Double.parseDouble(row.replaceAll(".*distillation\\.weight=([0-9.Ee-]+).*", "$1")), 1e-9 * w, row);
            double hIoU = Configs.JSON.readTree(trial.resolve(TrainingRun.METRICS).toFile()).get("hIoU").asDouble();
            assertEquals(String.format(Locale.ROOT, "%.2f", hIoU), row.split("\\|")[3].trim(), row);
            weights.add(w);
        }
        assertEquals(2, weights.size(), "two random draws of a continuous key differ");
        List<Double> scores = new ArrayList<>();
        for (String row : rows) {
            scores.add(Double.parseDouble(row.split("\\|")[3].trim()));
        }
        assertTrue(scores.get(0) >= scores.get(1), rows.toString());
        assertNotEquals(-1, Files.readString(out.resolve("results.md")).indexOf("random search"));
    }
}
