package org.gkc4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gkc4j.io.LabelMap;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gkc eval-video-masks}: the shared sample's independently computed figures, a hand-computed case, one-line errors. */
class EvalVideoMasksCommandTest {
    @TempDir
    Path dir;
    Path pred, gt, out;

    @BeforeEach
    void paths() {
        pred = dir.resolve("pred");
        gt = dir.resolve("gt");
        out = dir.resolve("m.json");
    }

    private static String[] eval(Path pred, Path gt, Path out, String... extra) {
        String[] base = {"eval-video-masks", "--pred", pred.toString(), "--gt", gt.toString(), "--num-classes", "10", "--out", out.toString()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return EvalMasksCommandTest.run(all);
    }

    private static void assertRelative(double want, double got, String key) {
        assertEquals(want, got, 1e-9 * Math.abs(want), key);
    }

    @Test
    void theSharedSampleGivesTheExpectedFigures() throws IOException {
        Path sample = Shared.require("data/video-eval-sample");
        String[] r = eval(sample.resolve("pred"), sample.resolve("gt"), out, "--novel", "2,5");
        assertEquals("0", r[0], r[2]);
        JsonNode want = new ObjectMapper().readTree(sample.resolve("expected.json").toFile()), got = new ObjectMapper().readTree(out.toFile());
        for (String key : new String[]{"mIoU", "pAcc", "mIoU_base", "mIoU_novel", "hIoU", "mVC8", "mVC16"}) {
            assertRelative(want.get(key).asDouble(), got.get(key).asDouble(), key);
        }
        assertEquals(want.get("windows"), got.get("windows"));
        assertEquals(want.get("num_classes"), got.get("num_classes"));
        assertEquals(want.get("novel"), got.get("novel_classes"));
        assertEquals(4, got.get("videos").asInt());
        assertEquals(64, got.get("images").asInt());
        assertTrue(r[1].startsWith("mIoU 88.73  pAcc 94.55  mIoU_base 88.61  mIoU_novel 89.21  hIoU 88.91  mVC8 56.46  mVC16 45.28 over 64 frames of 4 videos"), r[1]);
    }

    /**
     * Video a, three 2x2 frames (n = 8 and 16 see no window: F <= n), and video b of 9 single-pixel frames whose ground
     * truth never changes and whose prediction changes at frame 8: windows 0-7 (i = 0 .. 9-8-1 = 0) only, frames 0-7
     * agree in both, so mVC8 = 100 % over 1 window; the window 1-8 that would see the change is VSPW's unscored last.
     * Frames: a's labels 0,1 / 1,1 against prediction 0,1 / 1,0 three times, plus 9 pixels of class 2 predicted 2
     * (the last 3): class 0 IoU 3/3, class 1 IoU 6/9, class 2 IoU 9/9.
     */
    @Test
    void aHandComputedPair() throws IOException {
        for (int f = 0; f < 3; f++) {
            new LabelMap(2, 2, new int[]{0, 1, 1, 1}).writePng8(gt.resolve("a").resolve(f + ".png"));
            new LabelMap(2, 2, new int[]{0, 1, 1, 0}).writePng8(pred.resolve("a").resolve(f + ".png"));
        }
        for (int f = 0; f < 9; f++) {
            new LabelMap(1, 1, new int[]{2}).writePng8(gt.resolve("b").resolve(f + ".png"));
            new LabelMap(1, 1, new int[]{f == 8 ? 3 : 2}).writePng8(pred.resolve("b").resolve(f + ".png"));
        }
        String[] r = eval(pred, gt, out);
        assertEquals("0", r[0], r[2]);
        JsonNode j = new ObjectMapper().readTree(out.toFile());
        assertEquals(100, j.get("mVC8").asDouble(), 1e-12);
        assertEquals(1, j.get("windows").get("8").asInt());
        assertTrue(j.get("mVC16").isNull());
        assertEquals(0, j.get("windows").get("16").asInt());
        // Class 2: 8 of its 9 pixels right, one predicted 3 (a false positive of class 3): IoU 8/9; class 3 present only in prediction.
        double iou0 = 3.0 / 6, iou1 = 6.0 / 9, iou2 = 8.0 / 9;
        assertEquals(100 * (iou0 + iou1 + iou2) / 4, j.get("mIoU").asDouble(), 1e-9);
        assertEquals(100.0 * (3 + 6 + 8) / 21, j.get("pAcc").asDouble(), 1e-9);
    }

    private void onePair() {
        new LabelMap(2, 1, new int[]{0, 1}).writePng8(gt.resolve("v").resolve("0.png"));
        new LabelMap(2, 1, new int[]{0, 1}).writePng8(pred.resolve("v").resolve("0.png"));
    }

    @Test
    void userErrorsAreOneLine() throws IOException {
        onePair();
        String[] r = eval(dir.resolve("nope"), gt, out);
        assertEquals("1", r[0]);
        assertEquals("gkc: prediction folder not found: " + dir.resolve("nope"), r[2].strip());

        new LabelMap(2, 1, new int[]{0, 0}).writePng8(gt.resolve("w").resolve("0.png"));
        r = eval(pred, gt, out);
        assertEquals("gkc: 1 ground-truth video without a prediction folder in " + pred + ": w", r[2].strip());

        Files.createDirectories(pred.resolve("w"));
        new LabelMap(2, 1, new int[]{0, 0}).writePng8(gt.resolve("v").resolve("1.png"));
        new LabelMap(2, 1, new int[]{0, 0}).writePng8(pred.resolve("w").resolve("0.png"));
        r = eval(pred, gt, out);
        assertEquals("gkc: 1 ground-truth PNG without a prediction in " + pred.resolve("v") + ": 1.png", r[2].strip());

        new LabelMap(1, 1, new int[]{0}).writePng8(pred.resolve("v").resolve("1.png"));
        r = eval(pred, gt, out);
        assertEquals("gkc: size mismatch for v/1.png: prediction 1x1, ground truth 2x1", r[2].strip());

        new LabelMap(2, 1, new int[]{0, 12}).writePng8(pred.resolve("v").resolve("1.png"));
        r = eval(pred, gt, out);
        assertEquals("gkc: v/1.png: predicted label 12 at pixel (1, 0) is neither a class index 0..9 nor the ignore label 255", r[2].strip());

        new LabelMap(2, 1, new int[]{0, 0}).writePng8(pred.resolve("v").resolve("1.png"));
        new LabelMap(2, 1, new int[]{10, 0}).writePng8(gt.resolve("v").resolve("1.png"));
        r = eval(pred, gt, out);
        assertEquals("gkc: v/1.png: ground-truth label 10 at pixel (0, 0) is neither a class index 0..9 nor the ignore label 255", r[2].strip());
        assertTrue(!Files.exists(out));
    }
}
