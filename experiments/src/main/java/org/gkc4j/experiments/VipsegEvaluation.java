package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.eval.SemSegEvaluator;
import org.gkc4j.eval.SemSegMetrics;
import org.gkc4j.eval.VideoConsistency;
import org.gkc4j.eval.VideoLabelMapFolders;
import org.gkc4j.eval.VideoSegMetrics;
import org.gkc4j.io.AtomicFiles;
import org.gkc4j.io.LabelMap;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.augment.Normalization;
import org.gkc4j.pipeline.augment.Resampling;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.datasets.VipsegCategories;
import org.gkc4j.pipeline.datasets.VipsegDataset;
import org.gkc4j.pipeline.datasets.VipsegIndex;
import org.gkc4j.pipeline.datasets.VipsegSplit;
import org.gkc4j.pipeline.datasets.VipsegToSemantic;
import org.gkc4j.pipeline.datasets.VipsegVariant;
import org.gkc4j.pipeline.datasets.VipsegVocabulary;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * GKC's open-vocabulary video benchmark on VIPSeg, both protocols, from one pass over the videos:
 * <ul>
 *   <li>{@code all_124}: one vocabulary of all 124 names against the 124-class truth; frame mIoU, pAcc, seen
 *   ({@code mIoU_base}) and unseen ({@code mIoU_novel}) means, their harmonic mean, VSPW's mVC8 / mVC16;</li>
 *   <li>{@code paper}: the seen classes with the 112 seen names against the base truth (unseen pixels void), the unseen
 *   classes with the 12 unseen names against the novel truth (seen pixels void), and their harmonic mean.</li>
 * </ul>
 * Truth follows GKC's preparation rule ({@link VipsegToSemantic}). Each frame is resized so its shorter edge is the
 * inference size, both sides rounded to multiples of 32 (the video network's requirement, kept for image networks too
 * so both read the same pixels); the label maps are resized back (nearest) and written as PNGs
 * ({@code predictions/{all,seen,unseen}/<video>/<frame>.png}, truth under {@code truth/{all,base,novel}}), then scored
 * from the PNGs by {@code eval-video-masks}' code.
 */
public final class VipsegEvaluation {
    public static final String METRICS = "metrics.json", RESULTS = "results.md", CONFIG = "config.yaml", PROVENANCE = "provenance.json",
            PREDICTIONS = "predictions", TRUTH = "truth";
    public static final List<String> SPLITS = List.of("train", "val", "test");

    /** What was evaluated, recorded as the run's resolved config. */
    public record Settings(String checkpoint, String root, String split, int size, int limit, String labeller) {
    }

    /** The two protocols' results. */
    public record Result(VideoSegMetrics all124, SemSegMetrics seen, SemSegMetrics unseen, int videos, long frames) {
        /** The harmonic mean of the paper protocol's seen and unseen mIoU (0 when both are 0). */
        public double paperHIoU() {
            double s = seen.mIoU(), u = unseen.mIoU();
            return Double.isNaN(s) || Double.isNaN(u) ? Double.NaN : s + u == 0 ? 0 : 2 * s * u / (s + u);
        }
    }

    private VipsegEvaluation() {
    }

    /** VIPSeg's 720p folder: {@code root} itself, or its {@code VIPSeg_720P} subfolder; the split's JSON must be there. */
    public static Path layout(Path root, String split) {
        if (!SPLITS.contains(split)) {
            throw GkcException.of("unknown VIPSeg split '%s'; expected one of %s", split, SPLITS);
        }
        if (root == null) {
            throw GkcException.of("--root is required for vipseg: the VIPSeg_720P folder (images/, panomasksRGB/, panoptic_gt_VIPSeg_%s.json)", split);
        }
        Path dir = Files.isDirectory(root.resolve("VIPSeg_720P")) ? root.resolve("VIPSeg_720P") : root;
        Path json = dir.resolve("panoptic_gt_VIPSeg_" + split + ".json");
        if (!Files.isRegularFile(json)) {
            throw GkcException.of("no VIPSeg %s annotations at %s: --root must be the VIPSeg_720P folder (images/, panomasksRGB/, panoptic_gt_VIPSeg_%s.json)",
                    split, json, split);
        }
        return dir;
    }

    /**
     * Labels the first {@code limit} videos ({@code <= 0}: all) of the split with {@code labeller}, text embeddings from
     * {@code embed}, at shorter edge {@code size}; writes the PNGs, {@value #METRICS}, {@value #RESULTS}, the settings
     * and provenance under {@code out}.
     */
    public static Result run(Path root, String split, VideoLabeller labeller, Function<List<String>, INDArray> embed, int size, int limit,
                             Path out, Settings settings) throws IOException {
        return run(root, split, labeller, embed, size, limit, out, settings, Map.of());
    }

    /** As above; {@code recorded} (the run's own configs, by name) is written into {@value #CONFIG} after the settings. */
    public static Result run(Path root, String split, VideoLabeller labeller, Function<List<String>, INDArray> embed, int size, int limit,
                             Path out, Settings settings, Map<String, Object> recorded) throws IOException {
        Path dir = layout(root, split);
        GkcException.check(size >= 32, "--size must be at least 32, not %d", size);
        VipsegDataset data = VipsegDataset.vipseg720p(dir, split, VipsegVariant.ALL, LoadOptions.skipDamaged(), LoadReport.toStderr());
        VipsegCategories cats = VipsegCategories.shipped();
        VipsegVocabulary all = cats.vocabulary(VipsegSplit.ALL), base = cats.vocabulary(VipsegSplit.BASE), novel = cats.vocabulary(VipsegSplit.NOVEL);
        int[] baseOf = remap(all, base), novelOf = remap(all, novel);
        List<VipsegIndex.Video> videos = data.videos().stream().filter(v -> !v.frames().isEmpty()).toList();
        if (limit > 0 && videos.size() > limit) {
            videos = videos.subList(0, limit);
        }
        if (videos.isEmpty()) {
            throw GkcException.of("no annotated videos in %s", dir.resolve("panoptic_gt_VIPSeg_" + split + ".json"));
        }
        Files.createDirectories(out);
        // earlier runs' PNGs would be scored with this run's; these two folders belong to the evaluation alone
        deleteTree(out.resolve(PREDICTIONS));
        deleteTree(out.resolve(TRUTH));
        Provenance.write(out.resolve(PROVENANCE));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("eval", settings);
        config.putAll(recorded);
        AtomicFiles.writeString(out.resolve(CONFIG), Configs.toYaml(config));
        INDArray textAll = embed.apply(all.names()), textBase = embed.apply(base.names()), textNovel = embed.apply(novel.names());
        long frames = 0;
        System.err.printf("gkc: VIPSeg %s, %d videos, %s, shorter edge %d%n", split, videos.size(), labeller.description(), size);
        try (ProgressBar bar = new ProgressBar("eval vipseg", videos.size(), "videos")) {
            int done = 0;
            for (VipsegIndex.Video video : videos) {
                List<SegmentationSample> samples = new ArrayList<>();
                for (VipsegIndex.Frame f : video.frames()) {
                    samples.add(data.frame(video.id(), f.panopticFile(), LoadOptions.skipDamaged(), LoadReport.quiet()).sample());
                }
                samples.sort(Comparator.comparing(SegmentationSample::id));
                int w = samples.get(0).width(), h = samples.get(0).height();
                for (SegmentationSample s : samples) {
                    GkcException.check(s.width() == w && s.height() == h, "VIPSeg video %s mixes frame sizes (%dx%d and %dx%d)", video.id(), w, h, s.width(), s.height());
                }
                int[] wh = inferenceSize(w, h, size);
                List<RgbImage> resized = samples.stream().map(s -> Resampling.bilinear(s.image(), wh[0], wh[1])).toList();
                INDArray batch = Nd4j.create(Normalization.IMAGENET.batch(resized, resized.size()), new long[]{resized.size(), 3, wh[1], wh[0]}, 'c');
                int[][][] p = labeller.label(batch, List.of(textAll, textBase, textNovel));
                int[][] pAll = p[0], pSeen = p[1], pUnseen = p[2];
                for (int i = 0; i < samples.size(); i++) {
                    SegmentationSample s = samples.get(i);
                    String name = s.id().substring(s.id().lastIndexOf('/') + 1) + ".png";
                    int[] truth = truth(s);
                    write(out.resolve(TRUTH).resolve("all"), video.id(), name, w, h, truth);
                    write(out.resolve(TRUTH).resolve("base"), video.id(), name, w, h, relabel(truth, baseOf));
                    write(out.resolve(TRUTH).resolve("novel"), video.id(), name, w, h, relabel(truth, novelOf));
                    write(out.resolve(PREDICTIONS).resolve("all"), video.id(), name, w, h, Resampling.nearest(pAll[i], wh[0], wh[1], w, h));
                    write(out.resolve(PREDICTIONS).resolve("seen"), video.id(), name, w, h, Resampling.nearest(pSeen[i], wh[0], wh[1], w, h));
                    write(out.resolve(PREDICTIONS).resolve("unseen"), video.id(), name, w, h, Resampling.nearest(pUnseen[i], wh[0], wh[1], w, h));
                    frames++;
                }
                bar.step(++done, video.id());
            }
        }
        List<Integer> unseenIndices = new ArrayList<>();
        for (int c = 0; c < all.size(); c++) {
            if (all.categories().get(c).unseen()) {
                unseenIndices.add(c);
            }
        }
        Result r = new Result(score(out.resolve(PREDICTIONS).resolve("all"), out.resolve(TRUTH).resolve("all"), all.size(), unseenIndices),
                score(out.resolve(PREDICTIONS).resolve("seen"), out.resolve(TRUTH).resolve("base"), base.size(), List.of()).frames(),
                score(out.resolve(PREDICTIONS).resolve("unseen"), out.resolve(TRUTH).resolve("novel"), novel.size(), List.of()).frames(),
                videos.size(), frames);
        AtomicFiles.writeString(out.resolve(METRICS), Configs.toJson(metrics(r)));
        Reports.perClassCsv(out.resolve("per_class_iou_all_124.csv"), all.names(), r.all124().frames());
        AtomicFiles.writeString(out.resolve(RESULTS), results(r, settings));
        return r;
    }

    /** {@code eval-video-masks} on two folders of {@code <video>/<frame>.png}: frame metrics and VSPW's consistency. */
    public static VideoSegMetrics score(Path pred, Path truth, int classes, List<Integer> novel) {
        SemSegEvaluator frames = new SemSegEvaluator(classes, VipsegToSemantic.IGNORE);
        VideoConsistency consistency = new VideoConsistency(VideoConsistency.VSPW_WINDOWS);
        VideoLabelMapFolders.evaluate(pred, truth, VideoLabelMapFolders.pairs(pred, truth), frames, consistency, (done, total, video) -> {
        });
        return new VideoSegMetrics(frames.metrics(novel), consistency.scores(), consistency.videos());
    }

    /** Width and height with the shorter edge at {@code size}, each rounded to a multiple of 32 (at least 32). */
    static int[] inferenceSize(int w, int h, int size) {
        int[] wh = Resampling.shortestEdgeSize(w, h, size, Integer.MAX_VALUE);
        return new int[]{Math.max(32, Math.round(wh[0] / 32f) * 32), Math.max(32, Math.round(wh[1] / 32f) * 32)};
    }

    /** metrics.json: the two protocols (NaN, e.g. mVC of videos too short for a window, as null). */
    static Map<String, Object> metrics(Result r) {
        SemSegMetrics a = r.all124().frames();
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("mIoU", num(a.mIoU()));
        all.put("pAcc", num(a.pAcc()));
        all.put("mIoU_base", num(a.mIoUBase()));
        all.put("mIoU_novel", num(a.mIoUNovel()));
        all.put("hIoU", num(a.hIoU()));
        Map<String, Object> windows = new LinkedHashMap<>();
        for (VideoConsistency.Score s : r.all124().consistency()) {
            all.put("mVC" + s.windowLength(), num(s.mVC()));
            windows.put(String.valueOf(s.windowLength()), s.windows());
        }
        all.put("windows", windows);
        Map<String, Object> paper = new LinkedHashMap<>();
        paper.put("mIoU_seen", num(r.seen().mIoU()));
        paper.put("mIoU_unseen", num(r.unseen().mIoU()));
        paper.put("hIoU", num(r.paperHIoU()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("all_124", all);
        m.put("paper", paper);
        m.put("videos", r.videos());
        m.put("frames", r.frames());
        return m;
    }

    private static Object num(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static String results(Result r, Settings s) {
        SemSegMetrics a = r.all124().frames();
        StringBuilder sb = new StringBuilder("# VIPSeg open-vocabulary video segmentation\n\n");
        sb.append(String.format(Locale.ROOT, "Checkpoint `%s` (%s) on VIPSeg %s: %d videos, %d frames, shorter edge %d.%n%n",
                s.checkpoint(), s.labeller(), s.split(), r.videos(), r.frames(), s.size()));
        sb.append("| protocol | vocabulary | mIoU seen | mIoU unseen | harmonic | mIoU | pAcc | mVC8 | mVC16 |\n|---|---|---|---|---|---|---|---|---|\n");
        sb.append(String.format(Locale.ROOT, "| all_124 | all 124 names | %s | %s | %s | %s | %s | %s | %s |%n", f(a.mIoUBase()), f(a.mIoUNovel()), f(a.hIoU()),
                f(a.mIoU()), f(a.pAcc()), f(r.all124().consistency().get(0).mVC()), f(r.all124().consistency().get(1).mVC())));
        sb.append(String.format(Locale.ROOT, "| paper | 112 seen names / 12 unseen names | %s | %s | %s | - | - | - | - |%n%n",
                f(r.seen().mIoU()), f(r.unseen().mIoU()), f(r.paperHIoU())));
        sb.append("`all_124` scores every frame against one vocabulary of all 124 names; `paper` scores the seen classes with the 112 seen names ")
                .append("on the base truth and the unseen classes with the 12 unseen names on the novel truth (GKC's protocol). ")
                .append("mVC needs videos longer than its window (- when none is). Per-class IoU: `per_class_iou_all_124.csv`.\n");
        return sb.toString();
    }

    private static String f(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    /** A frame's 124-class truth: each pixel's segment class, 255 for void. */
    private static int[] truth(SegmentationSample s) {
        int[] map = s.segmentMap(), out = new int[map.length];
        for (int p = 0; p < map.length; p++) {
            out[p] = map[p] == SegmentationSample.VOID ? VipsegToSemantic.IGNORE : s.segments().get(map[p]).classIndex();
        }
        return out;
    }

    /** From an index in {@code from} to the same category's index in {@code to}, or 255. */
    private static int[] remap(VipsegVocabulary from, VipsegVocabulary to) {
        int[] t = new int[from.size()];
        for (int c = 0; c < t.length; c++) {
            int i = to.classIndex(from.categories().get(c).id());
            t[c] = i == VipsegVocabulary.OUTSIDE ? VipsegToSemantic.IGNORE : i;
        }
        return t;
    }

    private static int[] relabel(int[] truth, int[] table) {
        int[] out = new int[truth.length];
        for (int p = 0; p < out.length; p++) {
            out[p] = truth[p] == VipsegToSemantic.IGNORE ? VipsegToSemantic.IGNORE : table[truth[p]];
        }
        return out;
    }

    private static void write(Path dir, String video, String name, int w, int h, int[] labels) {
        new LabelMap(w, h, labels).writePng8(dir.resolve(video).resolve(name));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
