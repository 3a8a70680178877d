package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.data.ImageTargets;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.io.AtomicFiles;
import org.gkc4j.io.Safetensors;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.VideoGkcNetwork;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.augment.JointAugmentation;
import org.gkc4j.pipeline.augment.Resampling;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.datasets.VipsegDataset;
import org.gkc4j.pipeline.datasets.VipsegIndex;
import org.gkc4j.train.Checkpoint;
import org.gkc4j.train.Trainer;
import org.gkc4j.train.WeightAveraging;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code gkc train-video}: the video network ({@link VideoGkcNetwork}) initialised from an image run ({@code init})
 * and trained on clips of VIPSeg's train split as the config's variant reads it ({@code base_ignore}: unseen
 * segments void; {@code base_delete}: videos holding unseen categories left out), against the variant's class names,
 * with the mask, dice and class losses and GKC's text diversification and distillation per track ({@link
 * VideoTrainingSetup}, as the video demo: the caches are the image method's, computed over every training frame with
 * the image run's CLIP and reused by later runs; the authors' video recipe has grounding off). A clip is {@code
 * trainFrames} consecutive frames of a random video, scaled so the shorter edge is {@code imageSize} and cropped to a
 * square at one random place for the whole clip; its targets are its tracks. Checkpoints are written atomically;
 * {@code --resume} continues from the last one.
 */
public final class VipsegTraining {
    public static final String CHECKPOINT = TrainingRun.CHECKPOINT, WEIGHTS = TrainingRun.WEIGHTS, LOG = TrainingRun.METRICS_LOG,
            CONFIG = "config.yaml";

    private VipsegTraining() {
    }

    /** Trains to {@code train.iterations} steps; returns the step reached. */
    public static int run(VideoRunConfig cfg, Path out, boolean resume) throws Exception {
        if (cfg.init().isEmpty()) {
            throw GkcException.of("init is required: the image run to start from (--set init=RUN, a gkc train run folder or its model.safetensors)");
        }
        if (cfg.data().root().isEmpty()) {
            throw GkcException.of("data.root is required: the VIPSeg_720P folder (--set data.root=R)");
        }
        if (cfg.grounding().enabled()) {
            throw GkcException.of("grounding.enabled: caption grounding is not available for video training (VIPSeg has no captions)");
        }
        Path dir = VipsegEvaluation.layout(Path.of(cfg.data().root()), "train");
        Path ckpt = out.resolve(CHECKPOINT);
        if (resume && Files.exists(ckpt) && !Checkpoint.metadata(ckpt).containsKey(VideoLabeller.VIDEO_CONFIG_KEY)) {
            throw GkcException.of("%s is not a video run's checkpoint (it records no %s); resume it with the command that made it, or choose another --out",
                    ckpt, VideoLabeller.VIDEO_CONFIG_KEY);
        }
        TrainedModel image = TrainedModel.load(Path.of(cfg.init()));
        RunConfig imageCfg = image.config();
        RunConfig run = VideoTrainingSetup.runConfig(imageCfg, clipSettings(cfg, imageCfg), cfg.criterion(), cfg.diversification(), cfg.distillation());
        VipsegDataset data = VipsegDataset.vipseg720p(dir, "train", cfg.data().vipsegVariant(), LoadOptions.skipDamaged(), LoadReport.toStderr());
        int t = cfg.data().trainFrames(), size = cfg.data().imageSize();
        List<VipsegIndex.Video> videos = data.videos().stream().filter(v -> v.frames().size() >= t).toList();
        if (videos.isEmpty()) {
            throw GkcException.of("no VIPSeg training video under %s has %d frames (data.trainFrames) as the %s variant reads it", dir, t, cfg.data().variant());
        }
        ClipResources clip = openClip(run, imageCfg, cfg.init());
        Files.createDirectories(out);
        Provenance.write(out.resolve("provenance.json"));
        AtomicFiles.writeString(out.resolve(CONFIG), Configs.toYaml(cfg));
        GkcModelConfig model = imageCfg.model();
        VideoTrainingSetup setup = setup(run, data, dir, clip, image.weights(), out);
        int[] toTrain = trainLabels(data);
        Trainer trainer = new Trainer(model, cfg.criterion(), cfg.train(), setup.terms(), image.weights(), clip.embed(data.classNames()), size, size,
                DataType.FLOAT, ctx -> new VideoGkcNetwork(ctx, model, t));
        // the image run's config with the CLIP this run found, so evaluating the video run finds it too
        RunConfig recorded = new RunConfig(imageCfg.model(), imageCfg.criterion(), imageCfg.train(), imageCfg.data(), run.clip(), imageCfg.diversification(),
                imageCfg.distillation(), imageCfg.grounding(), imageCfg.alignment(), imageCfg.evaluation());
        Map<String, String> meta = Map.of(TrainedModel.CONFIG_KEY, Configs.toYaml(recorded), VideoLabeller.VIDEO_CONFIG_KEY, Configs.toYaml(cfg));
        System.err.printf("gkc: training the video network from %s on %d VIPSeg videos (%s, %d class names), clips of %d frames at %d px%s%n",
                cfg.init(), videos.size(), cfg.data().variant(), data.classNames().size(), t, size, contributions(cfg));
        VideoTrainingLoop.run(trainer, out, resume, cfg.train(), cfg.train().batchSize() * t, "train-video", meta,
                (step, a) -> draw(cfg, data, videos, setup, toTrain, step, a).batch());
        double imageShare = cfg.averaging().imageShares().get(0);
        Map<String, INDArray> delivered = imageShare == 0 ? trainer.stateDict() : WeightAveraging.average(image.weights(), trainer.stateDict(), imageShare);
        Safetensors.write(out.resolve(WEIGHTS), delivered, Map.of("format", "pt", TrainedModel.CONFIG_KEY, meta.get(TrainedModel.CONFIG_KEY),
                VideoLabeller.VIDEO_CONFIG_KEY, meta.get(VideoLabeller.VIDEO_CONFIG_KEY)));
        System.err.printf("gkc: %d steps; weights in %s (evaluate with 'gkc eval --checkpoint %s --dataset vipseg --root R --out DIR')%n",
                trainer.step(), out.resolve(WEIGHTS), out);
        return trainer.step();
    }

    private static String contributions(VideoRunConfig cfg) {
        List<String> on = new ArrayList<>();
        if (cfg.diversification().enabled()) {
            on.add("text diversification");
        }
        if (cfg.distillation().enabled()) {
            on.add("distillation");
        }
        return on.isEmpty() ? "" : ", " + String.join(" and ", on) + " per track";
    }

    /**
     * The CLIP settings of the run: the image run's, with the video config's {@code clip} paths in their place; a file
     * that is not there is a one-line error saying where the setting came from.
     */
    static RunConfig.Clip clipSettings(VideoRunConfig cfg, RunConfig image) {
        RunConfig.Clip c = cfg.clip().over(image.clip());
        if (!c.weights().equals("builtin")) {
            requireFile("clip.weights", c.weights(), cfg.clip().weights().isEmpty(), cfg.init());
            requireFile("clip.merges", c.merges(), cfg.clip().merges().isEmpty(), cfg.init());
        }
        return c;
    }

    private static void requireFile(String key, String file, boolean recorded, String init) {
        if (file.isEmpty() || !Files.isRegularFile(Path.of(file))) {
            throw GkcException.of("%s: %s%s", key, file.isEmpty() ? "not set" : "file not found: " + file, recorded
                    ? String.format(" (as the image run %s recorded it; name the file on this machine with --set %s=FILE)", init, key) : "");
        }
    }

    /** The run's CLIP, whose text space must be the image network's (its image tower is the distillation teacher). */
    static ClipResources openClip(RunConfig run, RunConfig image, String init) throws Exception {
        ClipResources clip = ClipResources.open(run);
        int text = clip.weights().config().embedDim(), network = image.model().head().embedDim();
        if (text != network) {
            throw GkcException.of("clip.weights %s has a text space of width %d but the image run %s was trained in one of %d: use the CLIP it was trained with",
                    run.clip().weights(), text, init, network);
        }
        TrainingSetup.checkStudentWidth(run, clip.weights().config());   // before anything is written
        TrainingSetup.checkStartNetworkTeacher(run, true);
        return clip;
    }

    /**
     * The text contributions over VIPSeg's training frames as {@code data} reads them (caches under the run's {@code
     * clip.cache}); {@code start}: the image checkpoint's weights.
     */
    static VideoTrainingSetup setup(RunConfig run, VipsegDataset data, Path layout, ClipResources clip, Map<String, INDArray> start, Path out) {
        return VideoTrainingSetup.assemble(run, new VipsegTrainingData(data, layout.resolve("panoptic_gt_VIPSeg_train.json"), run.diversification()), clip, start, out);
    }

    /** Every class of the variant is trained: a segment's label is its class index. */
    static int[] trainLabels(VipsegDataset data) {
        int[] toTrain = new int[data.classNames().size()];
        for (int i = 0; i < toTrain.length; i++) {
            toTrain[i] = i;
        }
        return toTrain;
    }

    /** The clips of one micro-batch and the batch made of them. */
    record Draw(List<List<SegmentationSample>> clips, TrainingBatch batch) {
    }

    /**
     * Micro-batch {@code micro} of step {@code step}: {@code train.batchSize} clips of random videos, each with its
     * per-track targets, enriched clip by clip; a pure function of the step and micro-batch, so a resumed run draws as
     * a straight one.
     */
    static Draw draw(VideoRunConfig cfg, VipsegDataset data, List<VipsegIndex.Video> videos, VideoTrainingSetup setup, int[] toTrain, int step, int micro) {
        SplittableRandom rng = new SplittableRandom((cfg.train().seed() * 1_000_003L + step) * 31 + micro);
        int t = cfg.data().trainFrames(), size = cfg.data().imageSize();
        List<List<SegmentationSample>> clips = new ArrayList<>();
        List<ImageTargets> targets = new ArrayList<>();
        for (int b = 0; b < cfg.train().batchSize(); b++) {
            List<SegmentationSample> c = clip(data, videos.get(rng.nextInt(videos.size())), t, size, rng);
            clips.add(c);
            targets.add(setup.targets(c, toTrain, cfg.criterion().maxTargetsPerImage(), rng));
        }
        return new Draw(clips, ClipBatches.batch(clips, targets));
    }

    /**
     * {@code t} consecutive frames (in name order) of a video from a random start, scaled so the shorter edge is
     * {@code size}, cropped to {@code size} x {@code size} at one random offset; segments absent from the crop are dropped.
     */
    static List<SegmentationSample> clip(VipsegDataset data, VipsegIndex.Video video, int t, int size, SplittableRandom rng) {
        List<VipsegIndex.Frame> frames = new ArrayList<>(video.frames());
        frames.sort(Comparator.comparing(VipsegIndex.Frame::panopticFile));
        int start = rng.nextInt(frames.size() - t + 1);
        List<SegmentationSample> out = new ArrayList<>(t);
        int ox = -1, oy = -1;
        for (VipsegIndex.Frame f : frames.subList(start, start + t)) {
            SegmentationSample s = data.frame(video.id(), f.panopticFile(), LoadOptions.skipDamaged(), LoadReport.quiet()).sample();
            int[] wh = Resampling.shortestEdgeSize(s.width(), s.height(), size, Integer.MAX_VALUE);
            int w = Math.max(size, wh[0]), h = Math.max(size, wh[1]);
            if (ox < 0) {
                ox = rng.nextInt(w - size + 1);
                oy = rng.nextInt(h - size + 1);
            }
            out.add(crop(s, Resampling.bilinear(s.image(), w, h), Resampling.nearest(s.segmentMap(), s.width(), s.height(), w, h), w,
                    Math.min(ox, w - size), Math.min(oy, h - size), size));
        }
        return out;
    }

    private static SegmentationSample crop(SegmentationSample s, RgbImage image, int[] map, int w, int ox, int oy, int size) {
        RgbImage img = RgbImage.blank(size, size);
        int[] cropped = new int[size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.set(x, y, image.get(x + ox, y + oy, 0), image.get(x + ox, y + oy, 1), image.get(x + ox, y + oy, 2));
                cropped[y * size + x] = map[(y + oy) * w + x + ox];
            }
        }
        return JointAugmentation.reindex(s, img, cropped);   // an empty track is no target
    }
}
