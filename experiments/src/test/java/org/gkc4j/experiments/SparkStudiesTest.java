package org.gkc4j.experiments;

import org.gkc4j.config.Configs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Studies whose runs are Spark tasks (local[2], two runs at once, each in a fresh JVM): an ablation's table of the runs'
 * own metrics, a sweep's table equal to the sequential sweep's; both resumable.
 */
class SparkStudiesTest {
    @TempDir
    Path dir;

    @Test
    void ablationRunsAsSparkTasksAndResumes() throws Exception {
        Path cfg = dir.resolve("ablation.yaml");
        Files.writeString(cfg, String.join("\n",
                "title: tiny ablation on spark",
                "base: " + Path.of("../configs/demo.yaml").toAbsolutePath().normalize(),
                "seeds: [0, 1]",
                "variants:",
                "  - name: baseline",
                "    set: [diversification.enabled=false, distillation.enabled=false]", ""));
        Path out = dir.resolve("ablation");
        String[] args = TinyRuns.withOverrides(TinyRuns.overrides(dir.resolve("cache"), 1), "ablate", "--config", cfg.toString(), "--out", out.toString(),
                "--spark", "local[2]");
        String stderr = runCapturingStderr(args);
        assertTrue(stderr.contains("baseline seed 0: submitted") && stderr.contains("baseline seed 1: submitted"), stderr);

        String table = Files.readString(out.resolve("results.md"));
        double a = hIoU(out.resolve("baseline/seed-0")), b = hIoU(out.resolve("baseline/seed-1"));
        String harmonic = String.format(Locale.ROOT, "%.1f ± %.1f", (a + b) / 2, Math.abs(a - b) / Math.sqrt(2));
        String row = table.lines().filter(l -> l.startsWith("| baseline |")).findFirst().orElseThrow();
        assertEquals(harmonic, row.split("\\|")[4].trim(), row);
        assertTrue(Files.exists(out.resolve("baseline/seed-1/model.safetensors")), "the run's own files, written by its JVM");

        String again = runCapturingStderr(args);
        assertTrue(!again.contains("submitted"), "finished runs are not submitted again: " + again);
        assertEquals(table, Files.readString(out.resolve("results.md")));
    }

    @Test
    void sweepTrialsRunAsSparkTasksGiveTheSequentialSweepsTableAndResume() throws Exception {
        Path cfg = dir.resolve("sweep.yaml");
        Files.writeString(cfg, String.join("\n",
                "title: tiny sweep on spark",
                "base: " + Path.of("../configs/demo.yaml").toAbsolutePath().normalize(),
                "strategy: grid",
                "objective: mIoU",
                "space:",
                "  train.seed: {type: choice, values: [\"0\", \"1\"]}", ""));
        List<String> tiny = new java.util.ArrayList<>(TinyRuns.overrides(dir.resolve("cache"), 1));
        tiny.addAll(List.of("evaluation.images=4", "evaluation.visualise=0", "evaluation.validationImages=2", "evaluation.seenPenalties=[0.0]",
                "evaluation.hubnessWeights=[0.0]"));   // the table compares trials' scores, any evaluation will do: the cheapest
        Path sequential = dir.resolve("sequential"), spark = dir.resolve("spark");
        runCapturingStderr(TinyRuns.withOverrides(tiny, "sweep", "--config", cfg.toString(), "--out", sequential.toString(), "--in-process"));
        String[] args = TinyRuns.withOverrides(tiny, "sweep", "--config", cfg.toString(), "--out", spark.toString(), "--spark", "local[2]");
        runCapturingStderr(args);

        String table = Files.readString(spark.resolve("results.md"));
        System.err.println(table);
        assertEquals(Files.readString(sequential.resolve("results.md")), table);
        List<String> rows = table.lines().filter(l -> l.matches("\\| \\d+ \\| \\d+ \\|.*")).toList();
        assertEquals(2, rows.size(), table);
        // two different scores: the ranking is the runs' own, not the order in which the tasks ended
        assertTrue(!rows.get(0).split("\\|")[3].equals(rows.get(1).split("\\|")[3]), table);
        for (String trial : List.of("trial-0", "trial-1")) {
            assertTrue(Files.exists(spark.resolve(trial).resolve("model.safetensors")), "the trial's own files, written by its JVM");
        }

        FileTime before = Files.getLastModifiedTime(spark.resolve("trial-1").resolve(TrainingRun.METRICS));
        runCapturingStderr(args);
        assertEquals(before, Files.getLastModifiedTime(spark.resolve("trial-1").resolve(TrainingRun.METRICS)), "finished trials are not run again");
        assertEquals(table, Files.readString(spark.resolve("results.md")));
    }

    /** The command's exit must be 0; returns what it printed on System.err (progress lines go there). */
    private static String runCapturingStderr(String[] args) {
        java.io.PrintStream old = System.err;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int code;
        try {
            System.setErr(new java.io.PrintStream(new java.io.OutputStream() {
                @Override
                public void write(int b) {
                    old.write(b);
                    buf.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    old.write(b, off, len);
                    buf.write(b, off, len);
                }
            }, true));
            code = TinyRuns.run(err, args);
        } finally {
            System.setErr(old);
        }
        assertEquals(0, code, err.toString());
        return buf.toString();
    }

    private static double hIoU(Path run) throws Exception {
        return Configs.JSON.readTree(run.resolve(TrainingRun.METRICS).toFile()).get("hIoU").asDouble();
    }
}
