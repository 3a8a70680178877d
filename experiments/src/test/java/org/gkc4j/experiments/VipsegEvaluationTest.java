package org.gkc4j.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import org.gkc4j.config.Configs;
import org.gkc4j.eval.VideoSegMetrics;
import org.gkc4j.io.LabelMap;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The VIPSeg benchmark's bookkeeping, with the network replaced by known predictions: the scoring step against the
 * shared video-eval sample's expected figures, and a whole evaluation of the shared VIPSeg sample with constant
 * predictions against figures counted here from the sample's expected label maps.
 */
class VipsegEvaluationTest {
    @TempDir
    Path dir;

    private static void assertClose(double want, double got, String key) {
        assertEquals(want, got, 1e-9 * Math.max(1, Math.abs(want)), key);
    }

    @Test
    void theScoringStepGivesTheSharedSampleFigures() throws Exception {
        Path sample = Shared.require("data/video-eval-sample");
        JsonNode want = Configs.JSON.readTree(sample.resolve("expected.json").toFile());
        VideoSegMetrics m = VipsegEvaluation.score(sample.resolve("pred"), sample.resolve("gt"), 10, List.of(2, 5));
        assertClose(want.get("mIoU").asDouble(), m.frames().mIoU(), "mIoU");
        assertClose(want.get("pAcc").asDouble(), m.frames().pAcc(), "pAcc");
        assertClose(want.get("mIoU_base").asDouble(), m.frames().mIoUBase(), "mIoU_base");
        assertClose(want.get("mIoU_novel").asDouble(), m.frames().mIoUNovel(), "mIoU_novel");
        assertClose(want.get("hIoU").asDouble(), m.frames().hIoU(), "hIoU");
        assertClose(want.get("mVC8").asDouble(), m.consistency().get(0).mVC(), "mVC8");
        assertClose(want.get("mVC16").asDouble(), m.consistency().get(1).mVC(), "mVC16");
        assertEquals(want.get("windows").get("8").asLong(), m.consistency().get(0).windows());
        assertEquals(want.get("windows").get("16").asLong(), m.consistency().get(1).windows());
    }

    /** One class for a whole video, chosen by the vocabulary's size and the video's frame count; records the frames it was given. */
    private static final class ConstantLabeller implements VideoLabeller {
        final java.util.function.IntBinaryOperator classOf;
        final List<long[]> shapes = new ArrayList<>();

        ConstantLabeller(java.util.function.IntBinaryOperator classOfVocabularyAndFrames) {
            this.classOf = classOfVocabularyAndFrames;
        }

        @Override
        public int[][] label(INDArray frames, INDArray text) {
            shapes.add(frames.shape());
            int[][] out = new int[(int) frames.size(0)][(int) (frames.size(2) * frames.size(3))];
            for (int[] f : out) {
                Arrays.fill(f, classOf.applyAsInt((int) text.size(0), (int) frames.size(0)));
            }
            return out;
        }

        @Override
        public String description() {
            return "constant";
        }
    }

    /**
     * Counted here: one constant prediction per frame against truth maps; detectron2's rule (IoU of each class with
     * truth pixels, summed, over the classes in truth or prediction): {mIoU, pAcc, mIoU_base, mIoU_novel}.
     */
    private static double[] constantMetrics(List<LabelMap> truth, int[] predicted, List<Integer> novel) {
        Map<Integer, Long> gt = new TreeMap<>(), pred = new TreeMap<>(), tp = new TreeMap<>();
        long total = 0;
        for (int f = 0; f < truth.size(); f++) {
            for (int v : truth.get(f).values()) {
                if (v != 255) {
                    gt.merge(v, 1L, Long::sum);
                    pred.merge(predicted[f], 1L, Long::sum);
                    if (v == predicted[f]) {
                        tp.merge(v, 1L, Long::sum);
                    }
                    total++;
                }
            }
        }
        double[] sum = new double[3];
        int[] present = new int[3];   // all, base, novel
        java.util.TreeSet<Integer> classes = new java.util.TreeSet<>(gt.keySet());
        classes.addAll(pred.keySet());
        long correct = 0;
        for (int k : classes) {
            long t = tp.getOrDefault(k, 0L);
            correct += t;
            double iou = gt.containsKey(k) ? t / (double) (gt.get(k) + pred.getOrDefault(k, 0L) - t) : 0;
            int group = novel.contains(k) ? 2 : 1;
            sum[0] += iou;
            present[0]++;
            sum[group] += iou;
            present[group]++;
        }
        return new double[]{100 * sum[0] / present[0], 100.0 * correct / total, 100 * sum[1] / present[1],
                present[2] == 0 ? Double.NaN : 100 * sum[2] / present[2]};
    }

    /** Each frame's prediction: the class chosen for its video's frame count. */
    private static int[] perFrame(Path truthDir, java.util.function.IntUnaryOperator classOfFrames) throws Exception {
        List<Integer> out = new ArrayList<>();
        try (var videos = Files.list(truthDir)) {
            for (Path v : videos.sorted().toList()) {
                int frames;
                try (var f = Files.list(v)) {
                    frames = (int) f.count();
                }
                for (int i = 0; i < frames; i++) {
                    out.add(classOfFrames.applyAsInt(frames));
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static List<Integer> unseenIndicesFromTheSharedList() throws Exception {
        List<String> rows = Files.readAllLines(Shared.require("data/classnames/vipseg-124.tsv"));
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i < rows.size(); i++) {
            if (rows.get(i).endsWith("\tunseen")) {
                out.add(i - 1);
            }
        }
        assertEquals(12, out.size());
        return out;
    }

    @Test
    void constantPredictionsGiveTheFiguresCountedFromTheSharedTruth() throws Exception {
        Path root = VipsegSampleRoot.make(dir.resolve("VIPSeg_720P"));
        Path expected = VipsegSampleRoot.sample().resolve("expected");
        List<Integer> unseen = unseenIndicesFromTheSharedList();
        List<LabelMap> all = VipsegSampleRoot.labelMaps(expected.resolve("all")), base = VipsegSampleRoot.labelMaps(expected.resolve("base")),
                novel = VipsegSampleRoot.labelMaps(expected.resolve("novel"));
        // per video (the sample's videos have 3, 4 and 5 frames): its most frequent unseen class in the 4-frame video,
        // else its most frequent seen class; on the split truths its most frequent class, except one class 0 / 1 video
        Map<Integer, List<LabelMap>> allBy = byFrameCount(expected.resolve("all")), baseBy = byFrameCount(expected.resolve("base")),
                novelBy = byFrameCount(expected.resolve("novel"));
        Map<Integer, Integer> cAll = new TreeMap<>(), cBase = new TreeMap<>(), cNovel = new TreeMap<>();
        for (int f : allBy.keySet()) {
            cAll.put(f, f == 4 ? mostFrequent(allBy.get(f), unseen::contains) : mostFrequent(allBy.get(f), c -> !unseen.contains(c)));
            cBase.put(f, f == 3 ? 0 : mostFrequent(baseBy.get(f), c -> true));
            cNovel.put(f, f == 5 ? 1 : mostFrequent(novelBy.get(f), c -> true));
        }
        ConstantLabeller labeller = new ConstantLabeller((k, frames) -> (k == 124 ? cAll : k == 112 ? cBase : cNovel).get(frames));
        Path out = dir.resolve("eval");
        VipsegEvaluation.Result r = VipsegEvaluation.run(dir, "val", labeller, names -> Nd4j.zeros(names.size(), 4), 32, 0, out,
                new VipsegEvaluation.Settings("none", dir.toString(), "val", 32, 0, labeller.description()));

        // the truth written follows GKC's rule: the shared expected maps, value for value
        for (String split : List.of("all", "base", "novel")) {
            List<LabelMap> got = VipsegSampleRoot.labelMaps(out.resolve(VipsegEvaluation.TRUTH).resolve(split)), want = VipsegSampleRoot.labelMaps(expected.resolve(split));
            assertEquals(want.size(), got.size(), split);
            for (int i = 0; i < want.size(); i++) {
                assertArrayEquals(want.get(i).values(), got.get(i).values(), split + " frame " + i);
            }
        }
        assertEquals(3, r.videos());
        assertEquals(all.size(), r.frames());
        // every video in one call per vocabulary, frames at shorter edge 32 rounded to multiples of 32 (52x36 -> 64x32 or 32x32)
        assertEquals(9, labeller.shapes.size());
        for (long[] s : labeller.shapes) {
            assertEquals(0, s[2] % 32);
            assertEquals(0, s[3] % 32);
        }

        double[] a = constantMetrics(all, perFrame(expected.resolve("all"), cAll::get), unseen);
        JsonNode m = Configs.JSON.readTree(out.resolve(VipsegEvaluation.METRICS).toFile());
        JsonNode j = m.get("all_124");
        assertClose(a[0], j.get("mIoU").asDouble(), "mIoU");
        assertClose(a[1], j.get("pAcc").asDouble(), "pAcc");
        assertClose(a[2], j.get("mIoU_base").asDouble(), "mIoU_base");
        assertClose(a[3], j.get("mIoU_novel").asDouble(), "mIoU_novel");
        assertClose(a[2] + a[3] == 0 ? 0 : 2 * a[2] * a[3] / (a[2] + a[3]), j.get("hIoU").asDouble(), "hIoU");
        assertTrue(j.get("mVC8").isNull() && j.get("mVC16").isNull(), "no sample video is longer than 8 frames: " + j);
        double seen = constantMetrics(base, perFrame(expected.resolve("base"), cBase::get), List.of())[0];
        double uns = constantMetrics(novel, perFrame(expected.resolve("novel"), cNovel::get), List.of())[0];
        JsonNode p = m.get("paper");
        assertClose(seen, p.get("mIoU_seen").asDouble(), "mIoU_seen");
        assertClose(uns, p.get("mIoU_unseen").asDouble(), "mIoU_unseen");
        assertClose(2 * seen * uns / (seen + uns), p.get("hIoU").asDouble(), "paper hIoU");
        assertTrue(seen > 0 && uns > 0 && a[2] > 0 && a[3] > 0, "the constants hit their classes: " + Arrays.toString(a));
        for (String f : List.of(VipsegEvaluation.RESULTS, VipsegEvaluation.CONFIG, VipsegEvaluation.PROVENANCE, "per_class_iou_all_124.csv")) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
    }

    private static Map<Integer, List<LabelMap>> byFrameCount(Path dir) throws Exception {
        Map<Integer, List<LabelMap>> out = new TreeMap<>();
        try (var videos = Files.list(dir)) {
            for (Path v : videos.sorted().toList()) {
                List<LabelMap> maps = VipsegSampleRoot.labelMaps(v);
                assertTrue(out.put(maps.size(), maps) == null, "two sample videos of " + maps.size() + " frames");
            }
        }
        return out;
    }

    private static int mostFrequent(List<LabelMap> maps, java.util.function.IntPredicate among) {
        TreeMap<Integer, Long> count = new TreeMap<>();
        for (LabelMap m : maps) {
            for (int v : m.values()) {
                if (v != 255 && among.test(v)) {
                    count.merge(v, 1L, Long::sum);
                }
            }
        }
        return count.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(0);
    }
}
