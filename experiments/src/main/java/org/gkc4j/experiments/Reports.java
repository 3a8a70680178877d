package org.gkc4j.experiments;

import org.gkc4j.config.Configs;
import org.gkc4j.eval.SemSegMetrics;
import org.gkc4j.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Markdown reports of runs. */
public final class Reports {
    private Reports() {
    }

    public static void runReport(Path out, RunConfig cfg, SemSegMetrics m, double imagesPerSecond, double trainSeconds) {
        runReport(out, cfg, m, imagesPerSecond, trainSeconds, null);
    }

    public static void runReport(Path out, RunConfig cfg, SemSegMetrics m, double imagesPerSecond, double trainSeconds,
                                 TrainingRun.Calibrated calibrated) {
        StringBuilder sb = new StringBuilder();
        sb.append("# GKC run: ").append(cfg.variantLabel()).append("\n\n");
        sb.append("Zero-shot semantic segmentation on held-out synthetic scenes, vocabulary = every class name (seen and unseen).\n\n");
        sb.append("| mIoU seen (base) | mIoU unseen (novel) | harmonic mean | mIoU all | pixel accuracy |\n|---|---|---|---|---|\n");
        sb.append(String.format(Locale.ROOT, "| %.1f | %.1f | %.1f | %.1f | %.1f |%n%n", m.mIoUBase(), m.mIoUNovel(), m.hIoU(), m.mIoU(), m.pAcc()));
        sb.append(String.format(Locale.ROOT, "Training: %d steps of %d images, %.1f min, %.2f images/s.%n%n", cfg.train().iterations(),
                cfg.train().batchSize() * cfg.train().accumulate(), trainSeconds / 60, imagesPerSecond));
        if (calibrated != null) {
            SemSegMetrics c = calibrated.test();
            String scenes = cfg.evaluation().validationImages() + " validation scenes (apart from the test scenes), by harmonic mIoU";
            if (!cfg.evaluation().hubnessWeights().isEmpty()) {
                sb.append("## Hubness correction\n\nEach name's logit lowered by a weight times its hubness (the mean of its ")
                        .append(cfg.evaluation().hubnessNeighbours()).append(" largest logits over the object queries of the validation scenes' ")
                        .append("images, no labels) minus the names' mean; the weight chosen on ").append(scenes).append(":\n\n");
                calibrationTable(sb, "weight", calibrated.hubnessValidation());
                sb.append('\n');
            }
            sb.append("## Calibrated stacking\n\nSeen-class logits lowered by a penalty chosen on ").append(scenes)
                    .append(cfg.evaluation().hubnessWeights().isEmpty() ? ":\n\n" : String.format(Locale.ROOT, ", at hubness weight %.2f:%n%n", calibrated.hubnessWeight()));
            calibrationTable(sb, "penalty", calibrated.validation());
            sb.append(String.format(Locale.ROOT, "%nOn the test scenes with hubness weight %.2f and penalty %.2f (`metrics_calibrated.json`):%n%n",
                    calibrated.hubnessWeight(), calibrated.penalty()));
            sb.append("| mIoU seen (base) | mIoU unseen (novel) | harmonic mean | mIoU all | pixel accuracy |\n|---|---|---|---|---|\n");
            sb.append(String.format(Locale.ROOT, "| %.1f | %.1f | %.1f | %.1f | %.1f |%n%n", c.mIoUBase(), c.mIoUNovel(), c.hIoU(), c.mIoU(), c.pAcc()));
        }
        if (Files.exists(out.resolve("predictions.png"))) {
            sb.append("## Predictions\n\n![predictions](predictions.png)\n\n");
        }
        if (Files.exists(out.resolve("loss_curves.png"))) {
            sb.append("## Loss curves\n\n![losses](loss_curves.png)\n\n");
        }
        sb.append("Per-class IoU: `per_class_iou.csv`; pixel confusion (rows: truth, columns: prediction): `confusion.csv`; every step's losses and phase seconds: `metrics.jsonl`.\n\n");
        sb.append("## Resolved config\n\n```yaml\n").append(Configs.toYaml(cfg)).append("```\n");
        AtomicFiles.writeString(out.resolve("report.md"), sb.toString());
    }

    private static void calibrationTable(StringBuilder sb, String what, java.util.Map<Double, SemSegMetrics> rows) {
        sb.append("| ").append(what).append(" | val. seen | val. unseen | val. harmonic |\n|---|---|---|---|\n");
        rows.forEach((p, v) -> sb.append(String.format(Locale.ROOT, "| %.2f | %.1f | %.1f | %.1f |%n", p, v.mIoUBase(), v.mIoUNovel(), v.hIoU())));
    }

    /** IoU per class with its split (base or novel, from the metrics' novel classes); a class never seen nor predicted is blank. */
    /** The loss terms of a run's metrics log against the step, as a picture (nothing without a log). */
    public static void lossCurves(Path log, Path png) throws IOException {
        List<Map<String, Object>> rows = TrainingRun.readLog(log);
        if (rows.isEmpty()) {
            return;
        }
        List<Double> x = rows.stream().map(r -> ((Number) r.get("step")).doubleValue()).toList();
        List<String> keys = rows.get(0).keySet().stream().filter(k -> k.startsWith("loss")).toList();
        Pictures.lines(png, "training losses (weighted, summed over prediction sets)", "step", "loss", x, Pictures.seriesOf(rows, keys));
    }

    public static void perClassCsv(Path file, List<String> names, SemSegMetrics m) {
        java.util.Set<Integer> novel = java.util.Arrays.stream(m.novelClasses()).boxed().collect(java.util.stream.Collectors.toSet());
        StringBuilder sb = new StringBuilder("class,name,split,iou\n");
        for (int i = 0; i < names.size(); i++) {
            double v = m.perClassIoU()[i];
            sb.append(i).append(",\"").append(names.get(i).replace("\"", "")).append("\",").append(novel.contains(i) ? "novel" : "base").append(',')
                    .append(Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.2f", v)).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /** Pixel counts, one row per ground-truth class, one column per predicted class (names quoted, quotes dropped). */
    public static void confusionCsv(Path file, List<String> names, long[][] confusion) {
        StringBuilder sb = new StringBuilder("truth \\ prediction");
        names.forEach(n -> sb.append(",\"").append(n.replace("\"", "")).append('"'));
        sb.append('\n');
        for (int g = 0; g < names.size(); g++) {
            sb.append('"').append(names.get(g).replace("\"", "")).append('"');
            for (long v : confusion[g]) {
                sb.append(',').append(v);
            }
            sb.append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }
}
