package org.gkc4j.experiments;

import org.gkc4j.config.Configs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ablation studies and Arbiter sweeps end to end on one-step runs: tables from the runs' own metrics, resumable. The
 * ablation runs each member in a child JVM (the default), the sweep in this one.
 */
class StudiesTest {
    @TempDir
    Path dir;

    private String demoConfig() {
        return Path.of("../configs/demo.yaml").toAbsolutePath().normalize().toString();
    }

    private static double hIoU(Path run) throws Exception {
        return Configs.JSON.readTree(run.resolve(TrainingRun.METRICS).toFile()).get("hIoU").asDouble();
    }

    @Test
    void ablationTablesMeanAndSpreadOverSeedsAndResumes() throws Exception {
        Path cfg = dir.resolve("ablation.yaml");
        Files.writeString(cfg, String.join("\n",
                "title: tiny ablation",
                "base: " + demoConfig(),
                "seeds: [0, 1]",
                "variants:",
                "  - name: baseline",
                "    set: [diversification.enabled=false, distillation.enabled=false]",
                "  - name: +text diversification",
                "    set: [diversification.enabled=true, distillation.enabled=false]", ""));
        Path out = dir.resolve("ablation");
        String[] args = TinyRuns.withOverrides(TinyRuns.overrides(dir.resolve("cache"), 1), "ablate", "--config", cfg.toString(), "--out", out.toString());
        StringWriter err = new StringWriter();
        assertEquals(0, TinyRuns.run(err, args), err.toString());

        String table = Files.readString(out.resolve("results.md"));
        assertTrue(table.contains("| variant | seen (base) | unseen (novel) | harmonic | seen, calibrated | unseen, calibrated | harmonic, calibrated |"), table);
        for (String[] v : new String[][]{{"baseline", "baseline"}, {"+text diversification", "text-diversification"}}) {
            double a = hIoU(out.resolve(v[1]).resolve("seed-0")), b = hIoU(out.resolve(v[1]).resolve("seed-1"));
            double mean = (a + b) / 2, std = Math.abs(a - b) / Math.sqrt(2);   // sample standard deviation of two values
            String harmonic = String.format(Locale.ROOT, "%.1f ± %.1f", mean, std);
            String row = table.lines().filter(l -> l.startsWith("| " + v[0] + " |")).findFirst().orElseThrow();
            assertEquals(harmonic, row.split("\\|")[4].trim(), row);
        }
        assertTrue(Files.size(out.resolve("results.png")) > 0);
        assertEquals(2, Configs.JSON.readTree(out.resolve("results.json").toFile()).get("baseline").get("harmonic").size());

        // a second invocation reuses every finished run and rewrites the same table
        FileTime before = Files.getLastModifiedTime(out.resolve("baseline/seed-0").resolve(TrainingRun.METRICS));
        StringWriter again = new StringWriter();
        assertEquals(0, TinyRuns.run(again, args), again.toString());
        assertEquals(before, Files.getLastModifiedTime(out.resolve("baseline/seed-0").resolve(TrainingRun.METRICS)), "finished runs are not run again");
        assertEquals(table, Files.readString(out.resolve("results.md")));

        // the same study with other settings does not pass the finished runs off as its own; fewer threads is no other setting
        List<String> changed = new java.util.ArrayList<>(TinyRuns.overrides(dir.resolve("cache"), 1));
        changed.add("train.lr=0.0005");
        StringWriter refused = new StringWriter();
        assertEquals(1, TinyRuns.run(refused, TinyRuns.withOverrides(changed, "ablate", "--config", cfg.toString(), "--out", out.toString())));
        assertEquals(1, refused.toString().strip().lines().count(), refused.toString());
        assertTrue(refused.toString().contains("baseline/seed-0 is a finished run of other settings (train.lr: 0.001 vs 5.0E-4)"), refused.toString());
        List<String> slower = new java.util.ArrayList<>(TinyRuns.overrides(dir.resolve("cache"), 1));
        slower.replaceAll(o -> o.startsWith("data.threads=") ? "data.threads=2" : o);
        assertEquals(0, TinyRuns.run(new StringWriter(), TinyRuns.withOverrides(slower, "ablate", "--config", cfg.toString(), "--out", out.toString())));
        assertEquals(before, Files.getLastModifiedTime(out.resolve("baseline/seed-0").resolve(TrainingRun.METRICS)));
    }

    @Test
    void gridSweepRanksTrialsByTheirMetricsAndResumes() throws Exception {
        Path cfg = dir.resolve("sweep.yaml");
        Files.writeString(cfg, String.join("\n",
                "title: tiny sweep",
                "base: " + demoConfig(),
                "strategy: grid",
                "objective: hIoU",
                "space:",
                "  criterion.classWeight: {type: choice, values: [\"1\", \"5\"]}", ""));
        Path out = dir.resolve("sweep");
        String[] args = TinyRuns.withOverrides(TinyRuns.overrides(dir.resolve("cache"), 1), "sweep", "--config", cfg.toString(), "--out", out.toString(),
                "--in-process");
        StringWriter err = new StringWriter();
        assertEquals(0, TinyRuns.run(err, args), err.toString());

        List<Path> trials = new ArrayList<>();
        try (var s = Files.list(out)) {
            s.filter(p -> p.getFileName().toString().startsWith("trial-")).sorted().forEach(trials::add);
        }
        assertEquals(2, trials.size(), trials.toString());
        String table = Files.readString(out.resolve("results.md"));
        List<String> rows = table.lines().filter(l -> l.matches("\\| \\d+ \\| \\d+ \\|.*")).toList();
        assertEquals(2, rows.size(), table);
        double first = Double.parseDouble(rows.get(0).split("\\|")[3].trim()), second = Double.parseDouble(rows.get(1).split("\\|")[3].trim());
        assertTrue(first >= second, table);
        for (String row : rows) {
            Path trial = out.resolve("trial-" + row.split("\\|")[2].trim());
            assertEquals(String.format(Locale.ROOT, "%.2f", hIoU(trial)), row.split("\\|")[3].trim(), row);
            assertTrue(Files.readString(trial.resolve(TrainingRun.CONFIG)).contains("classWeight"), trial.toString());
        }
        assertTrue(table.contains("Best configuration: `criterion.classWeight="), table);

        FileTime before = Files.getLastModifiedTime(trials.get(0).resolve(TrainingRun.METRICS));
        StringWriter again = new StringWriter();
        assertEquals(0, TinyRuns.run(again, args), again.toString());
        assertEquals(before, Files.getLastModifiedTime(trials.get(0).resolve(TrainingRun.METRICS)), "finished trials are not run again");
        assertEquals(table, Files.readString(out.resolve("results.md")));

        // other settings for the same trial folders: refused in one line, nothing rerun
        List<String> changed = new ArrayList<>(TinyRuns.overrides(dir.resolve("cache"), 1));
        changed.add("train.lr=0.0005");
        StringWriter refused = new StringWriter();
        assertEquals(1, TinyRuns.run(refused, TinyRuns.withOverrides(changed, "sweep", "--config", cfg.toString(), "--out", out.toString(), "--in-process")));
        assertEquals(1, refused.toString().strip().lines().count(), refused.toString());
        assertTrue(refused.toString().contains("is a finished run of other settings (train.lr: 0.001 vs 5.0E-4)"), refused.toString());
        assertEquals(before, Files.getLastModifiedTime(trials.get(0).resolve(TrainingRun.METRICS)));
    }

    @Test
    void tablesOfHandMadeFigures() throws Exception {
        AblationConfig ab = new AblationConfig("hand-made", "unused.yaml", List.of(), List.of(0L, 1L, 2L), List.of());
        AblationRunner.report(dir, ab, List.of(
                new AblationRunner.Row("a", List.of(10.0, 20.0, 30.0), List.of(1.0, 2.0, 3.0), List.of(4.0, 4.0, 4.0), List.of(12.0, 14.0, 22.0), List.of(5.0, 7.0, 9.0), List.of(1.0, 1.0, 1.0))));
        // sample standard deviations: {10,20,30} -> 10, {1,2,3} -> 1, {12,14,22} -> sqrt(28) = 5.29, {5,7,9} -> 2
        assertTrue(Files.readString(dir.resolve("results.md")).contains("| a | 20.0 ± 10.0 | 2.0 ± 1.0 | 4.0 ± 0.0 | 16.0 ± 5.3 | 7.0 ± 2.0 | 1.0 ± 0.0 |"),
                Files.readString(dir.resolve("results.md")));

        SweepConfig sc = new SweepConfig("hand-made", "unused.yaml", List.of(), "random", 3, 3, 0, "hIoU", java.util.Map.of());
        ArbiterSweep.report(dir, sc, new ArrayList<>(List.of(
                new ArbiterSweep.TrialResult(0, List.of("x=1"), 3.0, dir), new ArbiterSweep.TrialResult(1, List.of("x=2"), Double.NaN, dir),
                new ArbiterSweep.TrialResult(2, List.of("x=3"), 7.5, dir))));
        List<String> rows = Files.readAllLines(dir.resolve("results.md")).stream().filter(l -> l.matches("\\| \\d+ \\| \\d+ \\|.*")).toList();
        assertEquals(List.of("| 1 | 2 | 7.50 | `x=3` |", "| 2 | 0 | 3.00 | `x=1` |", "| 3 | 1 | NaN | `x=2` |"), rows);
        assertTrue(Files.readString(dir.resolve("results.md")).contains("Best configuration: `x=3`"));
    }

    @Test
    void everyShippedStudyConfigBinds() throws Exception {
        int checked = 0;
        try (var files = Files.list(Path.of("../configs/sweeps"))) {
            for (Path f : files.sorted().toList()) {
                SweepConfig sc = Configs.load(SweepConfig.class, SweepConfig.defaults(), f, List.of());
                assertEquals(sc.space().size(), ArbiterSweep.leaves(sc).size(), f.toString());
                Path base = f.toAbsolutePath().getParent().resolve(sc.base()).normalize();
                Configs.load(RunConfig.class, RunConfig.defaults(), base, sc.set());
                checked++;
            }
        }
        try (var files = Files.list(Path.of("../configs/ablations"))) {
            for (Path f : files.sorted().toList()) {
                AblationConfig ab = Configs.load(AblationConfig.class, AblationConfig.defaults(), f, List.of());
                Path base = f.toAbsolutePath().getParent().resolve(ab.base()).normalize();
                for (AblationConfig.Variant v : ab.variants()) {
                    List<String> set = new ArrayList<>(ab.set());
                    set.addAll(v.set());
                    Configs.load(RunConfig.class, RunConfig.defaults(), base, set);   // every variant's keys exist
                }
                checked++;
            }
        }
        assertTrue(checked >= 5, "configs checked: " + checked);
    }
}
