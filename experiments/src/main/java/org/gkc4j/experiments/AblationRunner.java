package org.gkc4j.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.eval.SemSegMetrics;
import org.gkc4j.io.AtomicFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs every variant of an {@link AblationConfig} with every seed through the same trainer as {@code gkc train},
 * one folder per run ({@code out/<variant>/seed-<k>}); finished runs of the same settings are reused (of other
 * settings: refused) and interrupted ones resumed, so the study itself resumes. Writes a markdown table (mean and standard deviation over seeds of seen, unseen and
 * harmonic mIoU), a bar chart and a JSON of every run; where runs kept weights at {@code evaluation.atSteps}, also
 * mIoU against training length ({@link StudyCurves}).
 */
public final class AblationRunner {
    /** Per-seed figures of one variant; the calibrated ones come from {@code metrics_calibrated.json} when runs wrote it. */
    public record Row(String variant, List<Double> seen, List<Double> unseen, List<Double> harmonic, List<Double> seenCalibrated,
                      List<Double> unseenCalibrated, List<Double> harmonicCalibrated) {
        boolean calibrated() {
            return !unseenCalibrated.isEmpty();
        }
    }

    private AblationRunner() {
    }

    public static List<Row> run(Path configFile, AblationConfig ab, List<String> extra, Path out, StudyLauncher launcher) throws Exception {
        if (ab.variants().isEmpty()) {
            throw GkcException.of("ablation %s lists no variants", configFile);
        }
        Path base = configFile.toAbsolutePath().getParent().resolve(ab.base()).normalize();
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("ablation.yaml"), Configs.toYaml(ab));
        if (launcher.parallelism() > 1) {
            runTogether(base, ab, extra, out, launcher);
        }
        List<Row> rows = new ArrayList<>();
        int total = ab.variants().size() * ab.seeds().size(), done = 0;
        for (AblationConfig.Variant v : ab.variants()) {
            Row row = new Row(v.name(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (long seed : ab.seeds()) {
                Path dir = out.resolve(slug(v.name())).resolve("seed-" + seed);
                List<String> overrides = new ArrayList<>(ab.set());
                overrides.addAll(v.set());
                overrides.add("train.seed=" + seed);
                overrides.addAll(extra);
                RunConfig cfg = Configs.load(RunConfig.class, RunConfig.defaults(), base, overrides);
                done++;
                SemSegMetrics m;
                if (finished(dir, cfg)) {
                    System.err.printf("gkc: [%d/%d] %s seed %d: reusing finished run%n", done, total, v.name(), seed);
                    m = readMetrics(dir.resolve(TrainingRun.METRICS));
                } else {
                    System.err.printf("gkc: [%d/%d] %s seed %d%n", done, total, v.name(), seed);
                    m = launcher.run(cfg, dir);
                }
                row.seen().add(m.mIoUBase());
                row.unseen().add(m.mIoUNovel());
                row.harmonic().add(m.hIoU());
                Path calibrated = dir.resolve(TrainingRun.METRICS_CALIBRATED);
                if (Files.exists(calibrated)) {
                    SemSegMetrics c = readMetrics(calibrated);
                    row.seenCalibrated().add(c.mIoUBase());
                    row.unseenCalibrated().add(c.mIoUNovel());
                    row.harmonicCalibrated().add(c.hIoU());
                }
            }
            rows.add(row);
            report(out, ab, rows);
            StudyCurves.write(out, ab);
        }
        return rows;
    }

    /**
     * The unfinished runs, {@code launcher.parallelism()} at a time; every run goes to its end (finished runs stay
     * for a resumed study) before the first failure is reported.
     */
    private static void runTogether(Path base, AblationConfig ab, List<String> extra, Path out, StudyLauncher launcher) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(launcher.parallelism());
        List<java.util.concurrent.Future<SemSegMetrics>> runs = new ArrayList<>();
        try {
            for (AblationConfig.Variant v : ab.variants()) {
                for (long seed : ab.seeds()) {
                    Path dir = out.resolve(slug(v.name())).resolve("seed-" + seed);
                    List<String> overrides = new ArrayList<>(ab.set());
                    overrides.addAll(v.set());
                    overrides.add("train.seed=" + seed);
                    overrides.addAll(extra);
                    RunConfig cfg = Configs.load(RunConfig.class, RunConfig.defaults(), base, overrides);
                    if (finished(dir, cfg)) {
                        continue;
                    }
                    System.err.printf("gkc: %s seed %d: submitted%n", v.name(), seed);
                    runs.add(pool.submit(() -> launcher.run(cfg, dir)));
                }
            }
            Exception first = null;
            for (var f : runs) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    first = first != null ? first : (e.getCause() instanceof Exception x ? x : e);
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Whether {@code dir} holds a finished run of {@code cfg}; a finished run of other settings (the study's config or
     * its {@code --set} changed since) is refused, naming the first setting that differs, rather than reported as this one.
     */
    static boolean finished(Path dir, RunConfig cfg) {
        if (!Files.exists(dir.resolve(TrainingRun.METRICS))) {
            return false;
        }
        Path saved = dir.resolve(TrainingRun.CONFIG);
        if (Files.exists(saved)) {
            String difference;
            try {
                // through the same YAML text the run saved, so numbers and enums compare as they were written
                difference = firstDifference("", Configs.readTree(saved), Configs.YAML.readTree(Configs.toYaml(cfg)));
            } catch (java.io.IOException e) {
                throw GkcException.of("cannot compare %s with the study's settings: %s", saved, e.getMessage());
            }
            if (difference != null) {
                throw GkcException.of("%s is a finished run of other settings (%s); delete it or give the study another --out", dir, difference);
            }
        }
        return true;
    }

    /** Settings that change where a run keeps things or how fast it goes, not its figures. */
    private static final Set<String> NOT_RESULTS = Set.of("clip.cache", "data.threads", "data.prefetch",
            "train.checkpointEvery", "train.logEvery");

    /** The first dotted key whose value differs between two config trees, as {@code key: saved vs now}; null if none. */
    static String firstDifference(String path, JsonNode saved, JsonNode now) {
        if (saved.isObject() && now.isObject()) {
            TreeSet<String> keys = new TreeSet<>();
            saved.fieldNames().forEachRemaining(keys::add);
            now.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                var a = saved.get(k);
                var b = now.get(k);
                String key = path.isEmpty() ? k : path + "." + k;
                if (NOT_RESULTS.contains(key)) {
                    continue;
                }
                if (a == null || b == null) {
                    return key + ": " + (a == null ? "absent" : a) + " vs " + (b == null ? "absent" : b);
                }
                String d = firstDifference(key, a, b);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return saved.equals(now) ? null : path + ": " + saved + " vs " + now;
    }

    public static SemSegMetrics readMetrics(Path file) throws java.io.IOException {
        var node = Configs.JSON.readTree(file.toFile());
        return new SemSegMetrics(num(node, "mIoU"), num(node, "pAcc"), num(node, "mIoU_base"), num(node, "mIoU_novel"), num(node, "hIoU"),
                new double[0], 0, 0, new int[0], 0, 0);
    }

    private static double num(com.fasterxml.jackson.databind.JsonNode n, String key) {
        var v = n.get(key);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }

    static String slug(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }

    static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    static double std(List<Double> v) {
        if (v.size() < 2) {
            return 0;
        }
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.size() - 1));
    }

    /** results.md, results.json and results.png for the rows so far. */
    static void report(Path out, AblationConfig ab, List<Row> rows) {
        StringBuilder md = new StringBuilder("# " + ab.title() + "\n\n");
        md.append(String.format(Locale.ROOT, "Mean ± standard deviation over %d seeds of mIoU on held-out synthetic scenes (vocabulary: all classes).%n%n", ab.seeds().size()));
        boolean calibrated = rows.stream().allMatch(r -> r.calibrated() && r.unseenCalibrated().size() == r.seen().size());
        md.append("| variant | seen (base) | unseen (novel) | harmonic |").append(calibrated ? " seen, calibrated | unseen, calibrated | harmonic, calibrated |" : "")
                .append("\n|---|---|---|---|").append(calibrated ? "---|---|---|" : "").append('\n');
        Map<String, Object> json = new LinkedHashMap<>();
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %.1f ± %.1f | %.1f ± %.1f | %.1f ± %.1f |", r.variant(), mean(r.seen()), std(r.seen()),
                    mean(r.unseen()), std(r.unseen()), mean(r.harmonic()), std(r.harmonic())));
            if (calibrated) {
                md.append(String.format(Locale.ROOT, " %.1f ± %.1f | %.1f ± %.1f | %.1f ± %.1f |", mean(r.seenCalibrated()), std(r.seenCalibrated()),
                        mean(r.unseenCalibrated()), std(r.unseenCalibrated()),
                        mean(r.harmonicCalibrated()), std(r.harmonicCalibrated())));
            }
            md.append('\n');
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("seen", r.seen());
            figures.put("unseen", r.unseen());
            figures.put("harmonic", r.harmonic());
            if (r.calibrated()) {
                figures.put("seen_calibrated", r.seenCalibrated());
                figures.put("unseen_calibrated", r.unseenCalibrated());
                figures.put("harmonic_calibrated", r.harmonicCalibrated());
            }
            json.put(r.variant(), figures);
        }
        if (calibrated) {
            md.append("\nCalibrated: the hubness weight and seen-class penalty each run chose on its validation scenes, as configured (`metrics_calibrated.json`).\n");
        }
        md.append("\n![results](results.png)\n");
        AtomicFiles.writeString(out.resolve("results.md"), md.toString());
        AtomicFiles.writeString(out.resolve("results.json"), Configs.toJson(json));
        List<String> names = rows.stream().map(Row::variant).toList();
        Map<String, List<Double>> means = new LinkedHashMap<>(), errs = new LinkedHashMap<>();
        means.put("seen", rows.stream().map(r -> mean(r.seen())).toList());
        means.put("unseen", rows.stream().map(r -> mean(r.unseen())).toList());
        means.put("harmonic", rows.stream().map(r -> mean(r.harmonic())).toList());
        errs.put("seen", rows.stream().map(r -> std(r.seen())).toList());
        errs.put("unseen", rows.stream().map(r -> std(r.unseen())).toList());
        errs.put("harmonic", rows.stream().map(r -> std(r.harmonic())).toList());
        Pictures.bars(out.resolve("results.png"), ab.title(), "mIoU (%)", names, means, errs);
    }
}
