package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.data.ImageTargets;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.eval.SemSegEvaluator;
import org.gkc4j.eval.SemSegMetrics;
import org.gkc4j.eval.VideoConsistency;
import org.gkc4j.io.AtomicFiles;
import org.gkc4j.io.Safetensors;
import org.gkc4j.model.ClipStitcher;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.VideoGkcNetwork;
import org.gkc4j.model.VideoPredictor;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.augment.Normalization;
import org.gkc4j.pipeline.synthetic.SceneGenerator;
import org.gkc4j.pipeline.synthetic.SyntheticWorld;
import org.gkc4j.pipeline.synthetic.VideoSceneGenerator;
import org.gkc4j.train.Trainer;
import org.gkc4j.train.WeightAveraging;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The video demo: the image demo's network, fine-tuned as a video network ({@link VideoGkcNetwork}) on clips of
 * the synthetic world in motion (seen classes only), then both networks on held-out videos with the full
 * vocabulary: the video network clip by clip, joined into tracks ({@link VideoPredictor}), and the image network
 * frame by frame. Frame mIoU (seen, unseen, harmonic) and VSPW's video consistency of both; resumable.
 */
public final class VideoDemo {
    public static final long TRAIN_SEEDS = 3_000_000L, EVAL_SEEDS = 5_000_000L, VALIDATION_SEEDS = 7_000_000L;
    public static final String METRICS = "metrics.json", CONFIG = "config.yaml", CHECKPOINT = "checkpoint.safetensors",
            WEIGHTS = "model.safetensors", LOG = "metrics.jsonl", STRIP = "frames.png",
            AVERAGING = "averaging.json";

    private VideoDemo() {
    }

    public static Map<String, Object> run(VideoDemoConfig cfg, Path out, boolean resume) throws Exception {
        Path imageRun = Path.of(cfg.imageRun());
        if (!Files.isRegularFile(imageRun.resolve(TrainingRun.WEIGHTS))) {
            throw GkcException.of("no image demo run at %s (its %s is missing): make it with './gkc demo --out %s' (about 11 minutes on 2 cores)",
                    imageRun, TrainingRun.WEIGHTS, imageRun);
        }
        VideoDemoConfig.Videos v = cfg.videos();
        GkcException.check(v.frames() > v.clipLength() && v.trainFrames() >= 1 && v.trainFrames() <= v.frames(),
                "videos.frames (%d) must exceed videos.clipLength (%d) and hold videos.trainFrames (%d)", v.frames(), v.clipLength(), v.trainFrames());
        ClipStitcher.starts(v.frames(), v.clipLength(), v.overlap());
        TrainedModel image = TrainedModel.load(imageRun);
        RunConfig imageCfg = image.config();
        GkcException.check(imageCfg.data().dataset().equals("synthetic"), "%s was not trained on the synthetic world", imageRun);
        Files.createDirectories(out);
        Provenance.write(out.resolve("provenance.json"));
        AtomicFiles.writeString(out.resolve(CONFIG), Configs.toYaml(cfg));
        GkcModelConfig model = imageCfg.model();
        SyntheticWorld world = imageCfg.data().syntheticWorld();
        int size = imageCfg.data().imageSize();
        VideoSceneGenerator gen = new VideoSceneGenerator(world, size);
        ClipResources clip = ClipResources.open(imageCfg);   // the image demo's cached tiny CLIP
        List<Integer> seen = world.seen();
        List<String> seenNames = seen.stream().map(i -> world.classNames().get(i)).toList();

        // the image method's caches over every frame of the training videos, read per track
        VideoTrainingSetup setup = VideoTrainingSetup.assemble(trainingRun(cfg, imageCfg), new VideoTrainingData(gen, v), clip, image.weights(), out);
        Trainer trainer = new Trainer(model, cfg.criterion(), cfg.train(), setup.terms(),
                image.weights(), clip.embed(seenNames), size, size, DataType.FLOAT, ctx -> new VideoGkcNetwork(ctx, model, v.trainFrames()));
        int[] toTrain = new int[world.classes().size()];
        java.util.Arrays.fill(toTrain, -1);
        for (int i = 0; i < seen.size(); i++) {
            toTrain[seen.get(i)] = i;
        }
        double trainSeconds = VideoTrainingLoop.run(trainer, out, resume, cfg.train(), cfg.train().batchSize() * v.trainFrames(), "train video",
                Map.of(TrainedModel.CONFIG_KEY, Configs.toYaml(imageCfg)),
                (step, a) -> clipBatch(gen, cfg, toTrain, setup, new SplittableRandom((v.seed() * 1_000_003L + step) * 31 + a)));
        Map<String, INDArray> tunedWeights = trainer.stateDict();
        INDArray allText = clip.embed(world.classNames());
        double imageShare = chooseImageShare(cfg, out, model, image.weights(), tunedWeights, world, gen, allText);
        // share 1: the delivered network is the image weights themselves, the untrained video network
        Map<String, INDArray> videoWeights = imageShare == 0 ? tunedWeights : imageShare == 1 ? image.weights()
                : WeightAveraging.average(image.weights(), tunedWeights, imageShare);
        Safetensors.write(out.resolve(WEIGHTS), videoWeights, Map.of("format", "pt", TrainedModel.CONFIG_KEY, Configs.toYaml(imageCfg),
                "video_config", Configs.toYaml(cfg)));

        Map<String, Object> metrics = evaluate(cfg, out, model, image.weights(), videoWeights, imageShare == 0 ? null : tunedWeights,
                imageShare == 1, world, gen, allText);
        metrics.put("image_share", imageShare);
        metrics.put("diversification", cfg.diversification().enabled());
        metrics.put("distillation", cfg.distillation().enabled());
        metrics.put("train_steps", trainer.step());
        metrics.put("train_seconds", trainSeconds);
        AtomicFiles.writeString(out.resolve(METRICS), Configs.toJson(metrics));
        report(out, cfg, metrics);
        return metrics;
    }

    /**
     * The image run's config with the video demo's criterion and text contributions (no grounding: no captions; no
     * alignment): what the loss terms and the caches are built from.
     */
    static RunConfig trainingRun(VideoDemoConfig cfg, RunConfig image) {
        return VideoTrainingSetup.runConfig(image, image.clip(), cfg.criterion(), cfg.diversification(), cfg.distillation());
    }

    /** The generator seed of training video {@code index} (of {@code trainVideos}). */
    static long trainVideoSeed(VideoDemoConfig.Videos v, int index) {
        return TRAIN_SEEDS + v.seed() * 1_000_000L + index;
    }

    /** {@code batchSize} clips of {@code trainFrames} consecutive frames of seen-only training videos; targets are the clips' tracks. */
    static TrainingBatch clipBatch(VideoSceneGenerator gen, VideoDemoConfig cfg, int[] toTrain, SplittableRandom rng) {
        return clipBatch(gen, cfg, toTrain, null, rng);
    }

    /** As above, each clip's targets enriched per track by {@code setup} (null: plain targets). */
    static TrainingBatch clipBatch(VideoSceneGenerator gen, VideoDemoConfig cfg, int[] toTrain, VideoTrainingSetup setup, SplittableRandom rng) {
        VideoDemoConfig.Videos v = cfg.videos();
        int t = v.trainFrames();
        List<List<SegmentationSample>> clips = new ArrayList<>();
        List<ImageTargets> targets = new ArrayList<>();
        for (int b = 0; b < cfg.train().batchSize(); b++) {
            VideoSceneGenerator.Video video = gen.video(trainVideoSeed(v, rng.nextInt(v.trainVideos())), v.frames(), SceneGenerator.Split.SEEN);
            int start = rng.nextInt(v.frames() - t + 1);
            List<SegmentationSample> clip = video.frames().subList(start, start + t);
            clips.add(clip);
            int max = cfg.criterion().maxTargetsPerImage();
            // enriched here, clip by clip, so a clip's synonym draws follow its own video and start draws
            targets.add(setup == null ? ClipBatches.trackTargets(clip, toTrain, max) : setup.targets(clip, toTrain, max, rng));
        }
        return ClipBatches.batch(clips, targets);
    }

    /**
     * The image weights' share of the delivered weights: the configured one, or, among several, the one whose video
     * network has the highest harmonic mIoU (all names) on the validation videos; each candidate's figures go to
     * {@value #AVERAGING}.
     */
    static double chooseImageShare(VideoDemoConfig cfg, Path out, GkcModelConfig model, Map<String, INDArray> imageWeights,
                                   Map<String, INDArray> tunedWeights, SyntheticWorld world, VideoSceneGenerator gen, INDArray allText) throws java.io.IOException {
        List<Double> shares = cfg.averaging().imageShares();
        if (shares.size() == 1) {
            return shares.get(0);
        }
        VideoDemoConfig.Videos v = cfg.videos();
        int k = world.classes().size(), count = cfg.averaging().validationVideos();
        ClipStitcher stitcher = cfg.stitching().stitcher();
        List<SemSegEvaluator> evals = new ArrayList<>();
        System.err.printf("gkc: choosing the image weights' share among %s on %d validation videos%n", shares, count);
        try (ProgressBar bar = new ProgressBar("choose share", (long) shares.size() * count, "videos")) {
            // one candidate at a time, so one graph is held; the videos are drawn again for each (deterministic, cheap)
            for (double share : shares) {
                SemSegEvaluator eval = new SemSegEvaluator(k, SyntheticBenchmark.IGNORE);
                VideoPredictor predictor = new VideoPredictor(model, WeightAveraging.average(imageWeights, tunedWeights, share), v.clipLength(), v.overlap(), stitcher);
                for (int i = 0; i < count; i++) {
                    HeldOut video = heldOut(gen, VALIDATION_SEEDS + v.seed() * 1_000_000L + i, v.frames());
                    int[][] labels = predictor.predict(video.batch(), allText);
                    for (int f = 0; f < labels.length; f++) {
                        eval.add(labels[f], video.truth(f));
                    }
                    bar.step((long) evals.size() * count + i + 1, String.format(Locale.ROOT, "share %.2f", share));
                }
                predictor.close();
                evals.add(eval);
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        double[] harmonic = new double[shares.size()];
        for (int j = 0; j < shares.size(); j++) {
            SemSegMetrics m = evals.get(j).metrics(world.unseen());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("image_share", shares.get(j));
            row.put("mIoU_base", m.mIoUBase());
            row.put("mIoU_novel", m.mIoUNovel());
            row.put("hIoU", m.hIoU());
            rows.add(row);
            harmonic[j] = m.hIoU();
        }
        int best = highestHarmonic(harmonic);
        double bestHarmonic = harmonic[best];
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("validation_videos", count);
        report.put("chosen_image_share", shares.get(best));
        report.put("candidates", rows);
        AtomicFiles.writeString(out.resolve(AVERAGING), Configs.toJson(report));
        System.err.printf(Locale.ROOT, "gkc: image weights' share %.2f (validation harmonic mIoU %.1f)%n", shares.get(best), bestHarmonic);
        return shares.get(best);
    }

    /**
     * The candidate with the highest validation harmonic mIoU; the first of equals (the listed order decides a tie), and
     * a candidate whose figure is undefined (NaN) never wins over one that has a figure.
     */
    static int highestHarmonic(double[] harmonic) {
        int best = 0;
        for (int j = 1; j < harmonic.length; j++) {
            if (harmonic[j] > harmonic[best] || (Double.isNaN(harmonic[best]) && !Double.isNaN(harmonic[j]))) {
                best = j;
            }
        }
        return best;
    }

    /** A held-out video: its frames, the same as a normalised batch [T, 3, n, n], and its scenes for the truth. */
    private record HeldOut(VideoSceneGenerator.Video video, List<RgbImage> frames, INDArray batch) {
        int[] truth(int frame) {
            return SyntheticBenchmark.labelMap(video.frames().get(frame));
        }
    }

    private static HeldOut heldOut(VideoSceneGenerator gen, long seed, int frameCount) {
        VideoSceneGenerator.Video vid = gen.video(seed, frameCount, SceneGenerator.Split.ALL);
        List<RgbImage> frames = vid.frames().stream().map(SegmentationSample::image).toList();
        int n = gen.size();
        return new HeldOut(vid, frames, Nd4j.create(Normalization.IMAGENET.batch(frames, frames.size()), new long[]{frames.size(), 3, n, n}, 'c'));
    }

    /** How one network labels a held-out video's frames (the frames as a batch, and as images). */
    private interface Labeller {
        int[][] label(INDArray batch, List<RgbImage> frames);
    }

    /** One evaluated network: its metric-key suffix, its frame and video scores, its column of the strip. */
    private record Scored(String suffix, String caption, Labeller labeller, SemSegEvaluator eval, VideoConsistency consistency, List<int[]> strip) {
        Scored(String suffix, String caption, Labeller labeller, int classes, int[] windows) {
            this(suffix, caption, labeller, new SemSegEvaluator(classes, SyntheticBenchmark.IGNORE), new VideoConsistency(windows), new ArrayList<>());
        }

        /** The same network and scores (nothing run again) reported under another name. */
        Scored alias(String suffix, String caption) {
            return new Scored(suffix, caption, labeller, eval, consistency, strip);
        }
    }

    /**
     * The networks on the held-out videos (all classes, the full vocabulary): the video network as delivered, the image
     * network frame by frame, the video network on the image weights before any video training, and, when the delivered
     * weights are an average, the fine-tuned weights alone ({@code tunedWeights}, else null). When the delivered
     * weights are the image weights ({@code deliveredIsImage}: image share 1) the untrained video network is the
     * delivered one: scored once, its figures reported under both names.
     */
    static Map<String, Object> evaluate(VideoDemoConfig cfg, Path out, GkcModelConfig model, Map<String, INDArray> imageWeights,
                                        Map<String, INDArray> videoWeights, Map<String, INDArray> tunedWeights, boolean deliveredIsImage,
                                        SyntheticWorld world, VideoSceneGenerator gen, INDArray allText) {
        VideoDemoConfig.Videos v = cfg.videos();
        int k = world.classes().size();
        int[] windows = v.frames() > 16 ? VideoConsistency.VSPW_WINDOWS : new int[]{8};
        ClipStitcher stitcher = cfg.stitching().stitcher();
        SemanticPredictions perFrame = new SemanticPredictions(model, imageWeights, allText);
        List<VideoPredictor> predictors = new ArrayList<>();
        java.util.function.Function<Map<String, INDArray>, Labeller> stitched = w -> {
            VideoPredictor p = new VideoPredictor(model, w, v.clipLength(), v.overlap(), stitcher);
            predictors.add(p);
            return (batch, frames) -> p.predict(batch, allText);
        };
        // the rows reported, and among them the networks run (an alias row is not run again)
        List<Scored> rows = new ArrayList<>(), networks = new ArrayList<>();
        Scored delivered = new Scored("", "video model", stitched.apply(videoWeights), k, windows);
        rows.add(delivered);
        rows.add(new Scored("_per_frame", "frame by frame", (batch, frames) -> perFrame.predict(frames), k, windows));
        // the same video network and stitching on the image weights, before any video training: what training adds
        rows.add(deliveredIsImage ? delivered.alias("_video_untrained", "video, untrained")
                : new Scored("_video_untrained", "video, untrained", stitched.apply(imageWeights), k, windows));
        if (tunedWeights != null) {
            rows.add(new Scored("_fine_tuned", "video, fine-tuned only", stitched.apply(tunedWeights), k, windows));
        }
        for (Scored r : rows) {
            if (networks.stream().noneMatch(n -> n.eval() == r.eval())) {
                networks.add(r);
            }
        }
        List<RgbImage> stripImages = new ArrayList<>();
        List<int[]> stripTruth = new ArrayList<>();
        StringBuilder named = new StringBuilder();
        networks.forEach(n -> named.append('[').append(n.caption()).append("] "));
        for (Scored r : rows) {
            if (!networks.contains(r)) {
                Scored same = networks.stream().filter(n -> n.eval() == r.eval()).findFirst().orElseThrow();
                named.append(String.format("([%s] is [%s], scored once) ", r.caption(), same.caption()));
            }
        }
        System.err.printf("gkc: evaluating %son %d held-out videos of %d frames with all %d class names (%d unseen)%n", named, v.evalVideos(), v.frames(), k, world.unseen().size());
        try (ProgressBar bar = new ProgressBar("evaluate", v.evalVideos(), "videos")) {
            for (int i = 0; i < v.evalVideos(); i++) {
                HeldOut video = heldOut(gen, EVAL_SEEDS + v.seed() * 1_000_000L + i, v.frames());
                List<RgbImage> frames = video.frames();
                INDArray batch = video.batch();
                List<int[][]> labels = new ArrayList<>();
                for (Scored s : networks) {
                    labels.add(s.labeller().label(batch, frames));
                    s.consistency().beginVideo();
                }
                for (int f = 0; f < frames.size(); f++) {
                    int[] gt = video.truth(f);
                    boolean shown = i < v.visualise() && f % Math.max(1, frames.size() / 5) == 0;
                    if (shown) {
                        stripImages.add(frames.get(f));
                        stripTruth.add(gt);
                    }
                    for (int j = 0; j < networks.size(); j++) {
                        Scored s = networks.get(j);
                        s.eval().add(labels.get(j)[f], gt);
                        s.consistency().addFrame(gt, labels.get(j)[f]);
                        if (shown) {
                            s.strip().add(labels.get(j)[f]);
                        }
                    }
                }
                bar.step(i + 1, "");
            }
        }
        predictors.forEach(VideoPredictor::close);
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> captions = new ArrayList<>(List.of("input", "truth"));
        List<List<int[]>> columns = new ArrayList<>(List.of(stripTruth));
        for (Scored s : rows) {
            SemSegMetrics sm = s.eval().metrics(world.unseen());
            m.put("mIoU_base" + s.suffix(), sm.mIoUBase());
            m.put("mIoU_novel" + s.suffix(), sm.mIoUNovel());
            m.put("hIoU" + s.suffix(), sm.hIoU());
            m.put("mIoU" + s.suffix(), sm.mIoU());
            m.put("pAcc" + s.suffix(), sm.pAcc());
            for (VideoConsistency.Score c : s.consistency().scores()) {
                m.put("mVC" + c.windowLength() + s.suffix(), c.mVC());
            }
            if (s.suffix().isEmpty() || s.suffix().equals("_per_frame")) {
                Reports.perClassCsv(out.resolve(s.suffix().isEmpty() ? "per_class_iou_video.csv" : "per_class_iou_per_frame.csv"), world.classNames(), sm);
            }
            captions.add(s.caption());
            columns.add(s.strip());
        }
        m.put("videos", v.evalVideos());
        m.put("frames_per_video", v.frames());
        m.put("vocabulary", k);
        m.put("unseen_classes", world.unseen().size());
        if (!stripImages.isEmpty()) {
            Pictures.overlayColumns(out.resolve(STRIP), stripImages, columns, captions, world.classNames(), new HashSet<>(world.unseen()), SyntheticBenchmark.IGNORE);
        }
        return m;
    }

    private static void report(Path out, VideoDemoConfig cfg, Map<String, Object> m) throws java.io.IOException {
        StringBuilder sb = new StringBuilder("# Video demo\n\n");
        sb.append(String.format(Locale.ROOT, "The image demo's network (`%s`) fine-tuned for %s steps as a video network on clips of %d frames of the",
                cfg.imageRun(), m.get("train_steps"), cfg.videos().trainFrames()));
        sb.append(" synthetic world in motion (seen classes only), against the image network run frame by frame, on ")
                .append(m.get("videos")).append(" held-out videos of ").append(m.get("frames_per_video"))
                .append(" frames with all ").append(m.get("vocabulary")).append(" class names (")
                .append(m.get("unseen_classes")).append(" unseen). The video network runs clips of ").append(cfg.videos().clipLength())
                .append(" frames overlapping by ").append(cfg.videos().overlap()).append(", joined into tracks.\n\n");
        sb.append("| network | mIoU seen | mIoU unseen | harmonic | mVC8 | mVC16 |\n|---|---|---|---|---|---|\n");
        double share = ((Number) m.get("image_share")).doubleValue();
        sb.append(row(share == 0 ? "video (clips, stitched)" : String.format(Locale.ROOT,
                "video (clips, stitched; weights %.2f x image + %.2f x fine-tuned)", share, 1 - share), m, ""));
        sb.append(row("image, frame by frame", m, "_per_frame"));
        sb.append(row("video network on the image weights (no video training), stitched", m, "_video_untrained"));
        if (m.containsKey("mIoU_base_fine_tuned")) {
            sb.append(row("video network, fine-tuned weights alone (not averaged with the image weights)", m, "_fine_tuned"));
        }
        sb.append(String.format(Locale.ROOT, "%nTraining: %.0f s. Per-class IoU: `per_class_iou_video.csv`, `per_class_iou_per_frame.csv`; every step: `%s`; config: `%s`.%n%n",
                ((Number) m.get("train_seconds")).doubleValue(), LOG, CONFIG));
        sb.append("Frames of the first held-out videos (rows), left to right: input, truth, video network, image network frame by frame,"
                + " video network on the image weights" + (share == 0 ? "" : ", video network on the fine-tuned weights alone") + ":\n\n");
        sb.append("![frames](").append(STRIP).append(")\n");
        AtomicFiles.writeString(out.resolve("report.md"), sb.toString());
    }

    private static String row(String name, Map<String, Object> m, String suffix) {
        return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %s | %s |%n", name, num(m, "mIoU_base" + suffix), num(m, "mIoU_novel" + suffix),
                num(m, "hIoU" + suffix), fmt(m.get("mVC8" + suffix)), fmt(m.get("mVC16" + suffix)));
    }

    private static double num(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }

    private static String fmt(Object v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.1f", ((Number) v).doubleValue());
    }
}
