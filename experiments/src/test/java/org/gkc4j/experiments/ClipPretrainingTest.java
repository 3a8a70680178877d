package org.gkc4j.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import org.gkc4j.clip.ClipTokenizer;
import org.gkc4j.clip.ClipWeights;
import org.gkc4j.config.Configs;
import org.gkc4j.pipeline.synthetic.SyntheticWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tiny-CLIP pretraining pipeline end to end, at a few steps: what it writes and what its report says. */
class ClipPretrainingTest {
    @TempDir
    Path dir;

    @Test
    void writesImportableWeightsMergesAndAConsistentZeroShotReport() throws Exception {
        ClipPretrainConfig d = ClipPretrainConfig.defaults();
        ClipPretrainConfig cfg = new ClipPretrainConfig(3, 8, d.imageSize(), d.lr(), 1, d.weightDecay(), d.merges(), d.visionLayers(), 8, 16,
                16, 2, 1, 2, d.batchNormStatistics(), d.regionCropPairs(), 0);
        ClipPretraining.Result r = ClipPretraining.run(cfg, new SyntheticWorld(), dir);

        ClipWeights w = ClipWeights.load(r.weights());
        assertEquals(16, w.config().embedDim());
        ClipTokenizer tok = ClipTokenizer.load(r.merges());
        assertEquals(3, tok.encode("a red circle").size(), "merges learned from the captions make each frequent word one token");

        JsonNode report = Configs.JSON.readTree(Files.readString(dir.resolve(ClipPretraining.REPORT)));
        List<SyntheticWorld.ClassInfo> things = new SyntheticWorld().classes().stream().filter(SyntheticWorld.ClassInfo::thing).toList();
        for (int k = 0; k < things.size(); k++) {
            assertEquals(things.get(k).name(), report.get("class_names").get(k).asText());
        }
        assertAccuraciesMatchConfusion(report, "confusion", "top1_", things, 2);
        assertEquals(r.seenAccuracy(), report.get("top1_seen").asDouble(), 1e-9);
        // the teacher-crop figures are their own confusion's accuracies, over the same test objects
        assertAccuraciesMatchConfusion(report, "teacher_crop_confusion", "teacher_crop_top1_", things, 2);
        assertTrue(Files.exists(dir.resolve("clip_pretrain.yaml")));
    }

    @Test
    void worstConfusionsAreTheLargestOffDiagonalCellsInOrder() {
        List<SyntheticWorld.ClassInfo> three = SyntheticWorld.named("four-shapes").classes().subList(0, 3);
        int[][] confusion = {{5, 4, 1}, {0, 10, 0}, {2, 4, 4}};
        ClipPretraining.ZeroShot zs = new ClipPretraining.ZeroShot(three, confusion);
        String a = three.get(0).name(), b = three.get(1).name(), c = three.get(2).name();
        assertEquals(List.of(a + " -> " + b + ": 4/10", c + " -> " + b + ": 4/10", c + " -> " + a + ": 2/10"), zs.worstConfusions(3));
        assertEquals(4, zs.worstConfusions(9).size(), "only mistakes that happened");
        // in the four-shape world classes 0 and 1 (red circle, square) are seen, class 2 (red triangle) is unseen
        assertEquals(100.0 * 15 / 20, zs.accuracy(true), 1e-12);
        assertEquals(40.0, zs.accuracy(false), 1e-12);
    }
    /** Each class row of {@code confusionKey} counts {@code perClass} images, and the seen/unseen accuracies are its own. */
    private static void assertAccuraciesMatchConfusion(JsonNode report, String confusionKey, String accuracyPrefix,
                                                       List<SyntheticWorld.ClassInfo> things, int perClass) {
        JsonNode confusion = report.get(confusionKey);
        assertEquals(things.size(), confusion.size(), confusionKey);
        long[] correct = new long[2], total = new long[2];
        for (int k = 0; k < things.size(); k++) {
            int sum = 0;
            for (JsonNode c : confusion.get(k)) {
                sum += c.asInt();
            }
            assertEquals(perClass, sum, confusionKey + ": every test image of class " + k + " is counted once");
            int group = things.get(k).seen() ? 0 : 1;
            correct[group] += confusion.get(k).get(k).asInt();
            total[group] += sum;
        }
        assertEquals(100.0 * correct[0] / total[0], report.get(accuracyPrefix + "seen").asDouble(), 1e-9);
        assertEquals(100.0 * correct[1] / total[1], report.get(accuracyPrefix + "unseen").asDouble(), 1e-9);
    }
}
