package org.gkc4j.experiments;

import com.fasterxml.jackson.core.type.TypeReference;
import org.gkc4j.GkcException;
import org.gkc4j.cli.ProgressBar;
import org.gkc4j.clip.ClipWeights;
import org.gkc4j.config.Configs;
import org.gkc4j.criterion.ClassLoss;
import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.criterion.DistillationLoss;
import org.gkc4j.criterion.LossTerm;
import org.gkc4j.criterion.MaskLosses;
import org.gkc4j.criterion.SynonymLoss;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.eval.SemSegMetrics;
import org.gkc4j.io.AtomicFiles;
import org.gkc4j.io.Safetensors;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.pipeline.LoaderConfig;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.SampleSource;
import org.gkc4j.pipeline.SegmentationLoader;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.TargetEnricher;
import org.gkc4j.pipeline.augment.AugmentConfig;
import org.gkc4j.pipeline.augment.Normalization;
import org.gkc4j.pipeline.synthetic.SyntheticWorld;
import org.gkc4j.pipeline.teacher.TeacherFeatures;
import org.gkc4j.pipeline.text.SynonymScores;
import org.gkc4j.pipeline.text.TextDiversification;
import org.gkc4j.train.Checkpoint;
import org.gkc4j.train.Trainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One GKC training run end to end, resumable: data, CLIP, cached teacher features and synonym scores, the trainer
 * with the configured contributions, atomic checkpoints, a metrics log, evaluation and a report with pictures. Every
 * output goes under {@code out}, beside the resolved config and the run's provenance.
 */
public final class TrainingRun {
    public static final String CHECKPOINT = "checkpoint.safetensors", WEIGHTS = "model.safetensors", METRICS_LOG = "metrics.jsonl", CONFUSION = "confusion.csv",
            METRICS = "metrics.json", METRICS_CALIBRATED = "metrics_calibrated.json", CONFIG = "config.yaml",
            TEACHER_REPORT = "teacher.json";

    public record Result(Path out, SemSegMetrics metrics, int steps, double trainSeconds, double imagesPerSecond) {
    }

    private TrainingRun() {
    }

    public static Result run(RunConfig cfg, Path out, boolean resume) throws Exception {
        if (!cfg.data().dataset().equals("synthetic")) {
            throw GkcException.of("data.dataset '%s' cannot be trained by this command yet; 'synthetic' can", cfg.data().dataset());
        }
        SyntheticBenchmark bench = SyntheticBenchmark.of(cfg.data());   // an unknown world fails before anything is written
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve(CONFIG), Configs.toYaml(cfg));
        Provenance.write(out.resolve("provenance.json"));
        ClipResources clip = ClipResources.open(cfg);
        check(cfg.model(), clip.weights());
        SampleSource train = bench.train(cfg.data().trainImages(), cfg.data().seed());
        List<String> classes = bench.trainClasses();
        INDArray plainText = clip.embed(classes);
        Path cache = Path.of(cfg.clip().cache());
        String dataKey = "synthetic-" + bench.world().layout().cacheKey() + "-" + cfg.data().imageSize() + "-" + cfg.data().trainImages() + "-" + cfg.data().seed() + "-" + clip.weights().digest();
        List<TargetEnricher> enrichers = new ArrayList<>();
        if (cfg.diversification().enabled()) {
            SynonymScores scores = RegionFeatures.synonymScores(train, clip.weights(), clip.tokenizer(), classes, bench.synonyms(),
                    cache.resolve("synonym-scores-" + dataKey + ".json"));
            enrichers.add(new TextDiversification(classes, bench.synonyms(), scores, cfg.diversification().toSampler()));
        }
        int teacherDim = 0;
        if (cfg.distillation().enabled()) {
            var store = RegionFeatures.teacher(train, clip.weights(), cfg.distillation().target(),
                    cache.resolve("teacher-" + cfg.distillation().target().name().toLowerCase() + "-" + dataKey + ".safetensors"));
            if (cfg.distillation().space() == RunConfig.TeacherSpace.GAP_SHIFTED) {
                if (store.dim() != plainText.columns()) {
                    throw GkcException.of("distillation.space=gap_shifted needs teacher features in the text space (distillation.target=global)");
                }
                store = ModalityGapShift.apply(store, plainText);
            }
            teacherDim = store.dim();
            Map<String, Object> teacher = RegionFeatures.teacherReport(train, store, plainText, classes);
            if (cfg.distillation().trust() == RunConfig.TeacherTrust.AGREEING) {
                if (store.dim() != plainText.columns()) {
                    throw GkcException.of("distillation.trust=agreeing needs teacher features in the text space (distillation.target=global)");
                }
                TeacherAgreement.Filtered kept = TeacherAgreement.keepAgreeing(train, store, plainText);
                store = kept.store();
                teacher.put("distilled_segments", kept.kept());       // in the text space, so the report exists
                System.err.printf("gkc: distilling the %d of %d training segments whose teacher agrees with the label%n", kept.kept(), kept.segments());
            }
            if (teacher != null) {
                AtomicFiles.writeString(out.resolve(TEACHER_REPORT), Configs.toJson(teacher));
                System.err.printf("gkc: the teacher names %.1f %% of the training segments right (mean over classes %.1f %%)%n",
                        (double) teacher.get("top1"), (double) teacher.get("mean_class_top1"));
            }
            enrichers.add(new TeacherFeatures(store));
        }
        if (cfg.grounding().enabled()) {
            enrichers.add(new org.gkc4j.pipeline.text.CaptionGrounding(org.gkc4j.pipeline.text.CaptionNouns.load()));
        }
        Function<List<String>, INDArray> embedder = clip.embedder();
        int td = teacherDim;
        int maxVocabulary = classes.size() + cfg.criterion().maxTargetsPerImage();
        Function<CriterionConfig, List<LossTerm>> terms = c -> {
            List<LossTerm> t = new ArrayList<>(List.of(new MaskLosses.Bce(c), new MaskLosses.Dice(c), new ClassLoss(c)));
            if (cfg.diversification().enabled()) {
                t.add(new SynonymLoss(c, cfg.diversification().weight(), maxVocabulary, cfg.diversification().padAsNegatives(), embedder));
            }
            if (cfg.distillation().enabled()) {
                t.add(new DistillationLoss(cfg.distillation().weight(), cfg.distillation().variant(), cfg.distillation().student(), td,
                        cfg.distillation().maxInstances(), classes, embedder));
            }
            if (cfg.grounding().enabled()) {
                t.add(new org.gkc4j.criterion.GroundingLoss(cfg.grounding().weight(), cfg.grounding().maxWords(), cfg.grounding().maxRegions(), embedder));
            }
            if (cfg.alignment().enabled()) {
                t.add(new org.gkc4j.criterion.TextAlignmentLoss(cfg.alignment().weight(), classes, embedder));
            }
            return t;
        };
        Map<String, INDArray> init = cfg.clip().initBackbone() ? backboneFromClip(clip.weights()) : Map.of();
        int size = cfg.data().imageSize();
        Trainer trainer = new Trainer(cfg.model(), cfg.criterion(), cfg.train(), terms, init, plainText, size, size, DataType.FLOAT);
        AugmentConfig augment = switch (cfg.data().augment()) {
            case "authors", "scale" -> new AugmentConfig(size, cfg.data().minScale(), cfg.data().maxScale(), 0.5, 128);
            case "lsj" -> AugmentConfig.largeScaleJitter(size);
            case "none" -> AugmentConfig.none(size);
            default -> throw GkcException.of("data.augment must be authors, lsj or none, not '%s'", cfg.data().augment());
        };
        LoaderConfig lc = new LoaderConfig(cfg.train().batchSize(), cfg.data().threads(), cfg.data().prefetch(), cfg.data().seed() * 31 + cfg.train().seed(), augment, false);
        Path ckpt = out.resolve(CHECKPOINT);
        Path log = out.resolve(METRICS_LOG);
        double trainSeconds = 0;
        try (SegmentationLoader loader = new SegmentationLoader(train, lc, Normalization.IMAGENET, enrichers)) {
            if (resume && Files.exists(ckpt)) {
                trainer.restore(Checkpoint.load(ckpt));
                loader.seek((long) trainer.step() * cfg.train().accumulate());
                truncateLog(log, trainer.step());
                System.err.printf("gkc: resumed %s at step %d%n", out, trainer.step());
            } else {
                Files.deleteIfExists(log);
            }
            int total = cfg.train().iterations();
            long images = 0;
            try (ProgressBar bar = new ProgressBar("train", total, "steps")) {
                while (trainer.step() < total) {
                    List<TrainingBatch> micro = new ArrayList<>();
                    for (int a = 0; a < cfg.train().accumulate(); a++) {
                        micro.add(loader.next());
                    }
                    Trainer.StepResult r = trainer.train(micro);
                    trainSeconds += r.seconds();
                    images += (long) cfg.train().batchSize() * cfg.train().accumulate();
                    appendLog(log, r, cfg.train().batchSize() * cfg.train().accumulate());
                    bar.step(trainer.step(), String.format("loss %.3f %s lr %.1e %.1f img/s", r.loss(), brief(r.terms()), r.lr(),
                            cfg.train().batchSize() * cfg.train().accumulate() / r.seconds()));
                    if (trainer.step() % cfg.train().checkpointEvery() == 0 || trainer.step() == total) {
                        Checkpoint.save(ckpt, trainer.checkpointState(), Map.of(TrainedModel.CONFIG_KEY, Configs.toYaml(cfg)));
                    }
                }
            }
            if (loader.report().summary().samplesSkipped() > 0) {
                System.err.println("gkc: data: " + loader.report().summary());
            }
            double ips = images / Math.max(trainSeconds, 1e-9);
            Map<String, INDArray> weights = trainer.stateDict();
            Safetensors.write(out.resolve(WEIGHTS), weights, Map.of("format", "pt", TrainedModel.CONFIG_KEY, Configs.toYaml(cfg)));
            SemSegMetrics metrics = evaluateAndReport(cfg, out, bench, clip, weights, ips, trainSeconds);
            return new Result(out, metrics, trainer.step(), trainSeconds, ips);
        }
    }

    static SemSegMetrics evaluateAndReport(RunConfig cfg, Path out, SyntheticBenchmark bench, ClipResources clip, Map<String, INDArray> weights,
                                           double imagesPerSecond, double trainSeconds) throws IOException {
        System.err.printf("gkc: evaluating on %d held-out scenes with all %d class names (%d unseen)%n", cfg.evaluation().images(),
                bench.world().classes().size(), bench.world().unseen().size());
        INDArray allText = clip.embed(bench.world().classNames());
        SemanticPredictions predictions = new SemanticPredictions(cfg.model(), weights, allText);
        SyntheticBenchmark.Evaluation ev = bench.evaluate(predictions, cfg.evaluation().images(), cfg.evaluation().visualise(), null,
                SeenClassCalibration.NONE, SyntheticBenchmark.EVAL_SEEDS);
        SemSegMetrics m = ev.metrics();
        m.write(out.resolve(METRICS));
        Reports.perClassCsv(out.resolve("per_class_iou.csv"), bench.world().classNames(), m);
        Reports.confusionCsv(out.resolve(CONFUSION), bench.world().classNames(), ev.confusion());
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
        List<Map<String, Object>> rows = readLog(out.resolve(METRICS_LOG));
        if (!rows.isEmpty()) {
            List<Double> x = rows.stream().map(r -> ((Number) r.get("step")).doubleValue()).toList();
            List<String> keys = new ArrayList<>();
            rows.get(0).keySet().stream().filter(k -> k.startsWith("loss")).forEach(keys::add);
            Pictures.lines(out.resolve("loss_curves.png"), "training losses (weighted, summed over prediction sets)", "step", "loss", x,
                    Pictures.seriesOf(rows, keys));
        }
        Calibrated calibrated = calibrate(cfg, out, bench, predictions);
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
     * Calibration chosen on validation scenes: the validation metrics of every candidate hubness weight (penalty 0)
     * and of every candidate seen-class penalty (at the chosen weight), the choices, and the test metrics with both.
     */
    public record Calibrated(Map<Double, SemSegMetrics> hubnessValidation, double hubnessWeight, Map<Double, SemSegMetrics> validation,
                             double penalty, SemSegMetrics test) {
        public Calibrated {
            hubnessValidation = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(hubnessValidation));
            validation = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(validation));
        }
    }

    /**
     * Picks the hubness weight, then the seen-class penalty, on validation scenes, then scores the test scenes with
     * both; null without candidates or scenes.
     */
    static Calibrated calibrate(RunConfig cfg, Path out, SyntheticBenchmark bench, SemanticPredictions predictions) {
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
        test.write(out.resolve(METRICS_CALIBRATED));
        return new Calibrated(byWeight, weight, byPenalty, penalty, test);
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

    /** The CLIP image tower's trunk as the student's backbone ({@code visual.*} to {@code backbone.*}, attention pool dropped). */
    public static Map<String, INDArray> backboneFromClip(ClipWeights clip) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        clip.visual().forEach((k, v) -> {
            if (!k.startsWith("visual.attnpool.")) {
                out.put("backbone." + k.substring("visual.".length()), v);
            }
        });
        return out;
    }

    static void check(GkcModelConfig model, ClipWeights clip) {
        var c = clip.config();
        if (model.head().embedDim() != c.embedDim()) {
            throw GkcException.of("model.head.embedDim %d differs from the CLIP text space (%d)", model.head().embedDim(), c.embedDim());
        }
        if (model.backbone().width() != c.visionWidth() || !model.backbone().layers().equals(c.visionLayers())) {
            throw GkcException.of("model.backbone (layers %s, width %d) differs from the CLIP image tower (layers %s, width %d)",
                    model.backbone().layers(), model.backbone().width(), c.visionLayers(), c.visionWidth());
        }
    }

    private static String brief(Map<String, Double> terms) {
        StringBuilder sb = new StringBuilder();
        terms.forEach((k, v) -> sb.append(k).append(' ').append(String.format("%.2f", v)).append(' '));
        return sb.toString().trim();
    }

    static void appendLog(Path log, Trainer.StepResult r, int images) throws IOException {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("step", r.step());
        row.put("loss", r.loss());
        r.terms().forEach((k, v) -> row.put("loss_" + k, v));
        row.put("lr", r.lr());
        row.put("grad_norm", r.gradNorm());
        row.put("seconds", r.seconds());
        r.phaseSeconds().forEach((k, v) -> row.put("seconds_" + k, v));
        row.put("images_per_second", images / r.seconds());
        Files.writeString(log, Configs.JSON.writeValueAsString(row).replace("\n", "").replaceAll("\\s+", " ") + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static List<Map<String, Object>> readLog(Path log) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        if (!Files.exists(log)) {
            return rows;
        }
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                rows.add(Configs.JSON.readValue(line, new TypeReference<LinkedHashMap<String, Object>>() {
                }));
            }
        }
        return rows;
    }

    /** Drops log lines of steps a resumed run will redo. */
    static void truncateLog(Path log, int step) throws IOException {
        if (!Files.exists(log)) {
            return;
        }
        StringBuilder keep = new StringBuilder();
        for (Map<String, Object> r : readLog(log)) {
            if (((Number) r.get("step")).intValue() < step) {
                keep.append(Configs.JSON.writeValueAsString(r).replace("\n", "").replaceAll("\\s+", " ")).append('\n');
            }
        }
        AtomicFiles.writeString(log, keep.toString());
    }
}
