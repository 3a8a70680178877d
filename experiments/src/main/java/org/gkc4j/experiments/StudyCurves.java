package org.gkc4j.experiments;

import org.gkc4j.config.Configs;
import org.gkc4j.io.AtomicFiles;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * mIoU against training length for an ablation whose runs kept weights at {@code evaluation.atSteps}: per variant and
 * step, mean and sample standard deviation over the seeds whose run scored that step ({@code metrics_by_step.json}),
 * as {@code curves.md}, {@code curves.json} and one chart per metric ({@code curves-seen.png}, {@code curves-unseen.png},
 * {@code curves-harmonic.png}) with the standard deviation as error bars.
 */
final class StudyCurves {
    static final List<String> METRICS = List.of("mIoU_base", "mIoU_novel", "hIoU");
    private static final Map<String, String> LABEL = Map.of("mIoU_base", "seen", "mIoU_novel", "unseen", "hIoU", "harmonic");

    /** Per-seed values of one variant: metric -> step -> values over seeds. */
    record Variant(String name, Map<String, TreeMap<Integer, List<Double>>> values) {
    }

    private StudyCurves() {
    }

    /** Reads every run's metrics_by_step.json; empty when no run has one. */
    static List<Variant> collect(Path out, AblationConfig ab) throws IOException {
        List<Variant> variants = new ArrayList<>();
        boolean any = false;
        for (AblationConfig.Variant v : ab.variants()) {
            Map<String, TreeMap<Integer, List<Double>>> values = new LinkedHashMap<>();
            METRICS.forEach(m -> values.put(m, new TreeMap<>()));
            for (long seed : ab.seeds()) {
                Path file = out.resolve(AblationRunner.slug(v.name())).resolve("seed-" + seed).resolve(TrainingRun.METRICS_BY_STEP);
                if (!Files.exists(file)) {
                    continue;
                }
                any = true;
                MetricsByStep.read(file).forEach((step, row) -> METRICS.forEach(m ->
                        values.get(m).computeIfAbsent(step, k -> new ArrayList<>()).add((Double) row.get(m))));
            }
            variants.add(new Variant(v.name(), values));
        }
        return any ? variants : List.of();
    }

    /** curves.md, curves.json and the charts, if any run kept weights at steps. */
    static void write(Path out, AblationConfig ab) throws IOException {
        List<Variant> variants = collect(out, ab);
        if (variants.isEmpty()) {
            return;
        }
        StringBuilder md = new StringBuilder("# " + ab.title() + ": mIoU against training length\n\n");
        md.append("Mean ± sample standard deviation over the seeds that reached the step (n), plain figures (no calibration), ")
                .append("held-out scenes, all class names; each run's weights kept at `evaluation.atSteps`.\n\n");
        md.append("| variant | step | n | seen | unseen | harmonic |\n|---|---|---|---|---|---|\n");
        Map<String, Object> json = new LinkedHashMap<>();
        for (Variant v : variants) {
            Map<String, Object> perStep = new LinkedHashMap<>();
            for (int step : steps(v)) {
                List<Double> seen = v.values().get("mIoU_base").getOrDefault(step, List.of());
                md.append(String.format(Locale.ROOT, "| %s | %d | %d |", v.name(), step, seen.size()));
                Map<String, Object> figures = new LinkedHashMap<>();
                for (String m : METRICS) {
                    List<Double> xs = v.values().get(m).getOrDefault(step, List.of());
                    md.append(String.format(Locale.ROOT, " %.1f ± %.1f |", AblationRunner.mean(xs), AblationRunner.std(xs)));
                    figures.put(LABEL.get(m), xs);
                }
                md.append('\n');
                perStep.put(String.valueOf(step), figures);
            }
            json.put(v.name(), perStep);
        }
        md.append("\n![unseen](curves-unseen.png)\n![seen](curves-seen.png)\n![harmonic](curves-harmonic.png)\n");
        AtomicFiles.writeString(out.resolve("curves.md"), md.toString());
        AtomicFiles.writeString(out.resolve("curves.json"), Configs.toJson(json));
        for (String m : METRICS) {
            chart(out.resolve("curves-" + LABEL.get(m) + ".png"), ab.title() + ": " + LABEL.get(m) + " mIoU", m, variants);
        }
    }

    private static TreeSet<Integer> steps(Variant v) {
        TreeSet<Integer> steps = new TreeSet<>();
        v.values().values().forEach(byStep -> steps.addAll(byStep.keySet()));
        return steps;
    }

    private static void chart(Path file, String title, String metric, List<Variant> variants) {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("training step").yAxisTitle("mIoU (%)").build();
        for (Variant v : variants) {
            TreeMap<Integer, List<Double>> byStep = v.values().get(metric);
            if (byStep.isEmpty()) {
                continue;
            }
            List<Double> x = new ArrayList<>(), y = new ArrayList<>(), err = new ArrayList<>();
            byStep.forEach((step, xs) -> {
                x.add((double) step);
                y.add(AblationRunner.mean(xs));
                err.add(AblationRunner.std(xs));
            });
            chart.addSeries(v.name(), x, y, err);
        }
        Pictures.save(file, chart);
    }
}
