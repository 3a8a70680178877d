package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.eval.SemSegMetrics;
import org.gkc4j.io.Safetensors;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.SegmentationSample;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The synthetic world's held-out evaluation after training: test scenes with the full vocabulary (seen plus unseen
 * names), per-class IoU, confusion, prediction overlays, loss curves, and the calibrations chosen on validation scenes.
 */
final class SyntheticEvaluation implements RunEvaluation {
    private final SyntheticBenchmark bench;

    SyntheticEvaluation(SyntheticBenchmark bench) {
        this.bench = bench;
    }

    @Override
    public SemSegMetrics evaluate(RunConfig cfg, Path out, ClipResources clip, Map<String, INDArray> weights, List<String> trainClasses,
                                  double imagesPerSecond, double trainSeconds) throws IOException {
        System.err.printf("gkc: evaluating on %d held-out scenes with all %d class names (%d unseen)%n", cfg.evaluation().images(),
                bench.world().classes().size(), bench.world().unseen().size());
        INDArray allText = clip.embed(bench.world().classNames());
        SemanticPredictions predictions = new SemanticPredictions(cfg.model(), weights, allText);
        SyntheticBenchmark.Evaluation ev = bench.evaluate(predictions, cfg.evaluation().images(), cfg.evaluation().visualise(), null,
                SeenClassCalibration.NONE, SyntheticBenchmark.EVAL_SEEDS);
        SemSegMetrics m = ev.metrics();
        m.write(out.resolve(TrainingRun.METRICS));
        Reports.perClassCsv(out.resolve("per_class_iou.csv"), bench.world().classNames(), m);
        Reports.confusionCsv(out.resolve(TrainingRun.CONFUSION), bench.world().classNames(), ev.confusion());
        List<RgbImage> imgs = new ArrayList<>();
        List<int[]> truth = new ArrayList<>();
        for (SegmentationSample s : ev.scenes()) {
            imgs.add(s.image());
            truth.add(SyntheticBenchmark.labelMap(s));
        }
        if (!imgs.isEmpty()) {
            Pictures.overlays(out.resolve("predictions.png"), imgs, truth, ev.predictions(), bench.world().classNames(),
                    new HashSet<>(bench.world().unseen()), SyntheticBenchmark.IGNORE);
        }
        Reports.lossCurves(out.resolve(TrainingRun.METRICS_LOG), out.resolve("loss_curves.png"));
        scoreSnapshots(cfg, out, allText);
        TrainingRun.Calibrated calibrated = calibrate(cfg, out, predictions);
        Reports.runReport(out, cfg, m, imagesPerSecond, trainSeconds, calibrated);
        System.err.printf("gkc: mIoU seen %.1f, unseen %.1f, harmonic %.1f (all %.1f); report in %s%n", m.mIoUBase(), m.mIoUNovel(), m.hIoU(), m.mIoU(), out.resolve("report.md"));
        if (calibrated != null) {
            SemSegMetrics c = calibrated.test();
            System.err.printf("gkc: with hubness weight %.2f and seen-class penalty %.2f (chosen on validation scenes): mIoU seen %.1f, unseen %.1f, harmonic %.1f%n",
                    calibrated.hubnessWeight(), calibrated.penalty(), c.mIoUBase(), c.mIoUNovel(), c.hIoU());
        }
        return m;
    }

    /**
     * The weights kept at {@code evaluation.atSteps}, each scored on the same test scenes and vocabulary as the final
     * weights (no calibration), into {@code metrics_by_step.json}, written after every step scored; steps already
     * there are kept, so an interrupted evaluation resumes.
     */
    void scoreSnapshots(RunConfig cfg, Path out, INDArray allText) throws IOException {
        List<Integer> steps = cfg.evaluation().atSteps().stream().distinct().sorted().toList();
        if (steps.isEmpty()) {
            return;
        }
        Path file = out.resolve(TrainingRun.METRICS_BY_STEP);
        Map<Integer, Map<String, Object>> byStep = MetricsByStep.read(file);
        try (ProgressBar bar = new ProgressBar("snapshots", steps.size(), "steps scored")) {
            int done = 0;
            for (int step : steps) {
                done++;
                if (!byStep.containsKey(step)) {
                    Path weights = TrainingRun.snapshot(out, step);
                    if (!Files.exists(weights)) {
                        throw GkcException.of("%s is missing: the run was trained without evaluation.atSteps containing %d; train it again", weights, step);
                    }
                    Map<String, INDArray> w;
                    try (Safetensors st = Safetensors.open(weights)) {
                        w = st.readAll();
                    }
                    SemSegMetrics m = bench.evaluate(new SemanticPredictions(cfg.model(), w, allText), cfg.evaluation().images(), 0, null,
                            SeenClassCalibration.NONE, SyntheticBenchmark.EVAL_SEEDS).metrics();
                    byStep.put(step, MetricsByStep.row(step, m));
                    MetricsByStep.write(file, byStep);
                }
                Map<String, Object> r = byStep.get(step);
                bar.step(done, String.format(Locale.ROOT, "step %d: seen %.1f unseen %.1f", step, (Double) r.get("mIoU_base"), (Double) r.get("mIoU_novel")));
            }
        }
    }

    /**
     * Picks the hubness weight, then the seen-class penalty, on validation scenes, then scores the test scenes with
     * both; null without candidates or scenes.
     */
    TrainingRun.Calibrated calibrate(RunConfig cfg, Path out, SemanticPredictions predictions) {
        RunConfig.Evaluation ev = cfg.evaluation();
        List<Double> penalties = ev.seenPenalties().isEmpty() ? List.of(0.0) : ev.seenPenalties();
        List<Double> weights = ev.hubnessWeights().isEmpty() ? List.of(0.0) : ev.hubnessWeights();
        if ((ev.seenPenalties().isEmpty() && ev.hubnessWeights().isEmpty()) || ev.validationImages() == 0) {
            return null;
        }
        HubnessCorrection measured = ev.hubnessWeights().isEmpty() ? HubnessCorrection.NONE
                : HubnessCorrection.estimate(predictions, bench.validationImages(ev.validationImages()), 8, ev.hubnessNeighbours());
        Map<Double, SemSegMetrics> byWeight = new LinkedHashMap<>(), byPenalty = new LinkedHashMap<>();
        java.util.function.BiFunction<SeenClassCalibration, HubnessCorrection, SemSegMetrics> onValidation = (seen, hub) ->
                bench.evaluate(predictions, ev.validationImages(), 0, null, seen, hub, SyntheticBenchmark.VALIDATION_SEEDS).metrics();
        double weight, penalty;
        try (ProgressBar bar = new ProgressBar("calibrate", weights.size() + penalties.size(), "settings")) {
            weight = best(weights, byWeight, w -> onValidation.apply(SeenClassCalibration.NONE, measured.withWeight(w)), bar, "hubness weight", 0);
            HubnessCorrection chosen = measured.withWeight(weight);
            SemSegMetrics atChosen = byWeight.get(weight);   // penalty 0 at the chosen weight was scored above
            penalty = best(penalties, byPenalty, p -> p == 0 ? atChosen : onValidation.apply(new SeenClassCalibration(p), chosen), bar,
                    "seen penalty", weights.size());
        }
        SemSegMetrics test = bench.evaluate(predictions, ev.images(), 0, null, new SeenClassCalibration(penalty),
                measured.withWeight(weight), SyntheticBenchmark.EVAL_SEEDS).metrics();
        test.write(out.resolve(TrainingRun.METRICS_CALIBRATED));
        return new TrainingRun.Calibrated(byWeight, weight, byPenalty, penalty, test);
    }

    /** The candidate with the best validation harmonic mIoU (the first of equals); records every candidate's metrics in {@code into}. */
    private static double best(List<Double> candidates, Map<Double, SemSegMetrics> into, java.util.function.DoubleFunction<SemSegMetrics> score,
                               ProgressBar bar, String what, int done) {
        double best = candidates.get(0), bestH = -1;
        for (double c : candidates) {
            SemSegMetrics v = score.apply(c);
            into.put(c, v);
            if (v.hIoU() > bestH) {
                bestH = v.hIoU();
                best = c;
            }
            bar.step(done + into.size(), String.format(Locale.ROOT, "%s %.2f hIoU %.1f", what, c, v.hIoU()));
        }
        return best;
    }
}
