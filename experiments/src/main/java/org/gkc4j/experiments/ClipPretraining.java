package org.gkc4j.experiments;

import org.gkc4j.clip.BpeLearner;
import org.gkc4j.clip.ClipConfig;
import org.gkc4j.clip.ClipImageEncoder;
import org.gkc4j.clip.ClipTextEncoder;
import org.gkc4j.clip.ClipTokenizer;
import org.gkc4j.clip.ClipTrainer;
import org.gkc4j.clip.ClipWeights;
import org.gkc4j.config.Configs;
import org.gkc4j.io.AtomicFiles;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.augment.Normalization;
import org.gkc4j.pipeline.synthetic.CaptionPairs;
import org.gkc4j.pipeline.synthetic.SceneGenerator;
import org.gkc4j.pipeline.synthetic.SyntheticWorld;
import org.gkc4j.pipeline.teacher.TeacherCrops;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Pretrains the tiny CLIP of the built-in default: BPE merges learned from the synthetic captions (OpenAI's file
 * format), contrastive training on image-caption pairs, zero-shot classification of held-out single objects, and
 * export as OpenAI-layout safetensors plus the merges file (so it is imported like real CLIP weights).
 */
public final class ClipPretraining {
    public static final String WEIGHTS = "clip.safetensors", MERGES = "merges.txt", REPORT = "zero_shot.json";
    /** Seeds of pretraining pairs and of zero-shot test objects never overlap. */
    static final long PAIR_SEEDS = 1_000_000L, TEST_SEEDS = 9_000_000L;
    /** Index of the object among the segments of {@link SceneGenerator#object} (the background is 0). */
    private static final int OBJECT_SEGMENT = 1;

    public record Result(Path weights, Path merges, double seenAccuracy, double unseenAccuracy, double chance) {
    }

    private ClipPretraining() {
    }

    public static Result run(ClipPretrainConfig cfg, SyntheticWorld world, Path out) throws Exception {
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("clip_pretrain.yaml"), Configs.toYaml(cfg) + "# world: " + world.layout().name() + "\n");
        SceneGenerator gen = new SceneGenerator(world, cfg.imageSize());
        CaptionPairs pairs = new CaptionPairs(gen, PAIR_SEEDS + cfg.seed() * 10_000_000L, cfg.regionCropPairs());
        List<String> corpus = pairs.corpus(4000);
        List<String> promptCorpus = new ArrayList<>(corpus);
        for (String name : world.classNames()) {
            promptCorpus.add("a photo of a " + name + ".");
        }
        List<String[]> merges = BpeLearner.learn(promptCorpus, cfg.merges(), 2);
        ClipTokenizer tok = ClipTokenizer.fromMerges(merges);
        ClipTokenizer.writeMerges(out.resolve(MERGES), merges);
        int longest = 0;
        for (String c : promptCorpus) {
            longest = Math.max(longest, tok.encode(c).size() + 2);
        }
        int context = (longest + 7) / 8 * 8;
        ClipConfig cc = new ClipConfig(cfg.embedDim(), cfg.imageSize(), cfg.visionLayers(), cfg.visionWidth(), context, tok.vocabSize(),
                cfg.textWidth(), cfg.textHeads(), cfg.textLayers());
        System.err.printf("gkc: tiny CLIP: %s; %d merges, context %d%n", cc.summary(), merges.size(), context);
        ClipTrainer trainer = new ClipTrainer(cc, cfg.batch(), cfg.weightDecay(), cfg.seed(), cfg.batchNormStatistics());
        int s = cfg.imageSize();
        try (ProgressBar bar = new ProgressBar("clip pretrain", cfg.steps(), "steps")) {
            for (int step = 0; step < cfg.steps(); step++) {
                List<RgbImage> images = new ArrayList<>();
                List<String> captions = new ArrayList<>();
                for (int b = 0; b < cfg.batch(); b++) {
                    CaptionPairs.Pair p = pairs.get((long) step * cfg.batch() + b);
                    images.add(p.image());
                    captions.add(p.caption());
                }
                float[] pixels = Normalization.CLIP.batch(images, cfg.batch());
                double lr = cfg.lr() * Math.min(1.0, (step + 1.0) / cfg.warmup()) * 0.5 * (1 + Math.cos(Math.PI * step / cfg.steps()));
                ClipTrainer.Step r = trainer.train(Nd4j.create(pixels, new long[]{cfg.batch(), 3, s, s}, 'c'), tok.tokenize(captions, context), lr);
                bar.step(step + 1, String.format("loss %.3f scale %.1f", r.loss(), r.logitScale()));
            }
        }
        ClipWeights weights = trainer.weights();
        Path wfile = out.resolve(WEIGHTS);
        weights.save(wfile);
        // evaluate through the importer, exactly as GKC training will load it
        ClipWeights imported = ClipWeights.load(wfile);
        ZeroShot[] views = zeroShot(imported, ClipTokenizer.load(out.resolve(MERGES)), world, gen, cfg.zeroShotPerClass());
        ZeroShot zs = views[0], crops = views[1];
        double[] acc = {zs.accuracy(true), zs.accuracy(false)};
        int things = zs.classes().size();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("top1_seen", acc[0]);
        report.put("top1_unseen", acc[1]);
        report.put("chance", 100.0 / things);
        report.put("classes", things);
        report.put("images_per_class", cfg.zeroShotPerClass());
        report.put("class_names", zs.classes().stream().map(SyntheticWorld.ClassInfo::name).toList());
        report.put("confusion", zs.confusion());   // rows: true class, columns: predicted class (counts)
        // the same objects as the distillation teacher sees segments: masked, grey outside, box-cropped and resized
        report.put("teacher_crop_top1_seen", crops.accuracy(true));
        report.put("teacher_crop_top1_unseen", crops.accuracy(false));
        report.put("teacher_crop_confusion", crops.confusion());
        AtomicFiles.writeString(out.resolve(REPORT), Configs.toJson(report));
        System.err.printf("gkc: zero-shot top-1 on held-out objects: seen %.1f %%, unseen %.1f %% (chance %.1f %%); "
                + "on the teacher's masked crops of them: seen %.1f %%, unseen %.1f %%%n", acc[0], acc[1], 100.0 / things,
                crops.accuracy(true), crops.accuracy(false));
        List<String> worst = zs.worstConfusions(3);
        if (!worst.isEmpty()) {
            System.err.println("gkc: most frequent mistakes: " + String.join("; ", worst));
        }
        return new Result(wfile, out.resolve(MERGES), acc[0], acc[1], 100.0 / things);
    }

    /** Zero-shot predictions over the thing classes: {@code confusion[truth][predicted]} counts images. */
    record ZeroShot(List<SyntheticWorld.ClassInfo> classes, int[][] confusion) {
        /** Top-1 accuracy (percent) over the seen or the unseen classes. */
        double accuracy(boolean seen) {
            long correct = 0, total = 0;
            for (int k = 0; k < classes.size(); k++) {
                if (classes.get(k).seen() == seen) {
                    correct += confusion[k][k];
                    total += Arrays.stream(confusion[k]).sum();
                }
            }
            return 100.0 * correct / Math.max(1, total);
        }

        /** The {@code n} most frequent mistakes, most frequent first: "truth -> predicted: count/images". */
        List<String> worstConfusions(int n) {
            List<int[]> cells = new ArrayList<>();
            for (int t = 0; t < confusion.length; t++) {
                for (int p = 0; p < confusion.length; p++) {
                    if (t != p && confusion[t][p] > 0) {
                        cells.add(new int[]{t, p});
                    }
                }
            }
            cells.sort((a, b) -> confusion[b[0]][b[1]] != confusion[a[0]][a[1]] ? confusion[b[0]][b[1]] - confusion[a[0]][a[1]]
                    : a[0] != b[0] ? a[0] - b[0] : a[1] - b[1]);
            return cells.stream().limit(n).map(c -> String.format("%s -> %s: %d/%d", classes.get(c[0]).name(), classes.get(c[1]).name(),
                    confusion[c[0]][c[1]], Arrays.stream(confusion[c[0]]).sum())).toList();
        }
    }

    /**
     * Top-1 zero-shot classification of held-out single objects with "a photo of a {name}." prompts: element 0 of
     * each object as rendered, element 1 of its masked crop as the distillation teacher gets it ({@link TeacherCrops}).
     */
    static ZeroShot[] zeroShot(ClipWeights w, ClipTokenizer tok, SyntheticWorld world, SceneGenerator gen, int perClass) {
        List<SyntheticWorld.ClassInfo> things = world.classes().stream().filter(SyntheticWorld.ClassInfo::thing).toList();
        List<String> prompts = things.stream().map(c -> "a photo of a " + c.name() + ".").toList();
        INDArray text = new ClipTextEncoder(w, tok, 64).encode(prompts);
        text = text.divColumnVector(text.norm2(1).reshape(-1, 1));
        int s = w.config().imageResolution();
        ClipImageEncoder enc = new ClipImageEncoder(w, perClass, s, s, false);
        int[][][] confusion = new int[2][things.size()][things.size()];
        for (int k = 0; k < things.size(); k++) {
            int cls = things.get(k).index(), row = k;
            List<SegmentationSample> objects = IntStream.range(0, perClass)
                    .mapToObj(i -> gen.object(cls, TEST_SEEDS + row * 1000L + i)).toList();
            List<List<RgbImage>> views = List.of(objects.stream().map(SegmentationSample::image).toList(),
                    objects.stream().map(o -> TeacherCrops.crop(o, OBJECT_SEGMENT, s)).toList());
            for (int v = 0; v < views.size(); v++) {
                float[] pixels = Normalization.CLIP.batch(views.get(v), perClass);
                INDArray sim = enc.encode(Nd4j.create(pixels, new long[]{perClass, 3, s, s}, 'c')).mmul(text.transpose());
                for (int i = 0; i < perClass; i++) {
                    confusion[v][k][Nd4j.argMax(sim.getRow(i)).getInt(0)]++;
                }
            }
        }
        return new ZeroShot[]{new ZeroShot(things, confusion[0]), new ZeroShot(things, confusion[1])};
    }
}
