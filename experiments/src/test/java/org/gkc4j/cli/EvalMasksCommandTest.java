package org.gkc4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gkc4j.io.LabelMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gkc eval-masks}: the JSON contract of design.md on hand-computed folders, and its one-line errors. */
class EvalMasksCommandTest {
    @TempDir
    Path dir;
    Path pred, gt, out;

    @BeforeEach
    void folders() {
        pred = dir.resolve("pred");
        gt = dir.resolve("gt");
        out = dir.resolve("m.json");
        // Two images; together: class 0 IoU 1/3, class 1 IoU 2/3, class 2 IoU 0 (see SemSegEvaluatorTest).
        new LabelMap(3, 1, new int[]{0, 1, 1}).writePng8(pred.resolve("a.png"));
        new LabelMap(3, 1, new int[]{0, 0, 1}).writePng8(gt.resolve("a.png"));
        new LabelMap(3, 1, new int[]{1, 0, 2}).writePng8(pred.resolve("b.png"));
        new LabelMap(3, 1, new int[]{1, 2, 255}).writePng8(gt.resolve("b.png"));
    }

    static String[] run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = GkcMain.execute(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new String[]{String.valueOf(code), o.toString(), e.toString()};
    }

    private String[] eval(String... extra) {
        String[] base = {"eval-masks", "--pred", pred.toString(), "--gt", gt.toString(), "--num-classes", "3", "--out", out.toString()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return run(all);
    }

    @Test
    void writesTheContractJsonInPercent() throws IOException {
        String[] r = eval("--novel", "2");
        assertEquals("0", r[0], r[2]);
        JsonNode j = new ObjectMapper().readTree(out.toFile());
        assertEquals(100.0 / 3, j.get("mIoU").asDouble(), 1e-9);
        assertEquals(60, j.get("pAcc").asDouble(), 1e-9);
        assertEquals(50, j.get("mIoU_base").asDouble(), 1e-9);
        assertEquals(0, j.get("mIoU_novel").asDouble(), 1e-9);
        assertEquals(0, j.get("hIoU").asDouble(), 1e-9);
        assertEquals(3, j.get("per_class_iou").size());
        assertEquals(200.0 / 3, j.get("per_class_iou").get(1).asDouble(), 1e-9);
        assertEquals(2, j.get("images").asInt());
        assertTrue(r[1].startsWith("mIoU 33.33  pAcc 60.00  mIoU_base 50.00  mIoU_novel 0.00  hIoU 0.00 over 2 images"), r[1]);

        assertEquals("0", eval()[0]);
        j = new ObjectMapper().readTree(out.toFile());
        assertTrue(j.get("mIoU_novel").isNull() && j.get("hIoU").isNull());
        assertEquals(j.get("mIoU").asDouble(), j.get("mIoU_base").asDouble(), 1e-12);
    }

    @Test
    void sixteenBitMapsWithAnotherIgnoreLabel() throws IOException {
        new LabelMap(3, 1, new int[]{300, 300, 5}).writePng16(pred.resolve("a.png"));
        new LabelMap(3, 1, new int[]{300, 65535, 6}).writePng16(gt.resolve("a.png"));
        Files.delete(pred.resolve("b.png"));
        Files.delete(gt.resolve("b.png"));
        String[] r = run("eval-masks", "--pred", pred.toString(), "--gt", gt.toString(), "--num-classes", "847", "--ignore-label", "65535",
                "--out", out.toString());
        assertEquals("0", r[0], r[2]);
        JsonNode j = new ObjectMapper().readTree(out.toFile());
        // class 300: IoU 1; class 6: IoU 0; class 5 predicted only: denominator 3.
        assertEquals(100.0 / 3, j.get("mIoU").asDouble(), 1e-9);
        assertEquals(50, j.get("pAcc").asDouble(), 1e-9);
    }

    private static void assertOneLineError(String[] r, String expected) {
        assertEquals("1", r[0], r[2]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        assertTrue(r[2].strip().startsWith("gkc: " + expected), r[2]);
    }

    @Test
    void missingPairsSizeMismatchesAndUnreadableFilesAreOneLineErrors() throws IOException {
        new LabelMap(3, 1, new int[3]).writePng8(pred.resolve("c.png"));
        assertOneLineError(eval(), "1 prediction without a ground-truth PNG in " + gt + ": c.png");
        Files.delete(pred.resolve("c.png"));
        new LabelMap(3, 1, new int[3]).writePng8(gt.resolve("d.png"));
        assertOneLineError(eval(), "1 ground-truth PNG without a prediction in " + pred + ": d.png");
        Files.delete(gt.resolve("d.png"));

        new LabelMap(4, 1, new int[4]).writePng8(pred.resolve("b.png"));
        assertOneLineError(eval(), "size mismatch for b.png: prediction 4x1, ground truth 3x1");
        Files.write(pred.resolve("b.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 0, 0});
        assertOneLineError(eval(), "cannot decode image " + pred.resolve("b.png"));

        new LabelMap(3, 1, new int[]{1, 0, 2}).writePng8(pred.resolve("b.png"));
        new LabelMap(3, 1, new int[]{1, 9, 255}).writePng8(gt.resolve("b.png"));
        assertOneLineError(eval(), "b.png: ground-truth label 9 at pixel (1, 0) is neither a class index 0..2 nor the ignore label 255");

        assertOneLineError(eval("--novel", "1,3"), "novel class 3 is not a class index 0..2");
        assertOneLineError(run("eval-masks", "--pred", dir.resolve("nope").toString(), "--gt", gt.toString(), "--num-classes", "3", "--out", out.toString()),
                "prediction folder not found: " + dir.resolve("nope"));
        assertOneLineError(eval("--ignore-label", "1"), "ignore label 1 is a class index");
    }
}
