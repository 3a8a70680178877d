package org.gkc4j.cli;

import org.gkc4j.io.LabelMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gkc data prepare} and {@code gkc data check} on a small COCO-Stuff release: summary line, resume, exit codes. */
class DataPrepareTest {
    @TempDir
    Path root;

    static int run(StringWriter out, StringWriter err, String... args) {
        return GkcMain.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void preparesResumesAndChecks() throws IOException {
        Path in = root.resolve("coco/stuffthingmaps/val2017");
        Files.createDirectories(in);
        new LabelMap(2, 2, new int[]{0, 91, 11, 255}).writePng8(in.resolve("000000000139.png"));
        Files.write(in.resolve("000000000285.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G'}); // damaged
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(0, run(out, err, "data", "prepare", "coco-stuff", "--root", root.toString()), err.toString());
        String last = err.toString().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("gkc: coco-stuff: 1 files written, 0 inputs skipped as already done, 1 damaged (val2017/000000000285.png)")
                && last.contains("2 of 171 classes present, 2 pixels ignored"), last);
        assertTrue(err.toString().contains("gkc: warning: "), "the damage is named as it is met");
        assertArrayEquals(new int[]{0, 80, 255, 255},
                LabelMap.read(root.resolve("coco/stuffthingmaps_detectron2/val2017/000000000139.png")).values());

        err = new StringWriter();
        assertEquals(0, run(out, err, "data", "prepare", "coco-stuff", "--root", root.toString()), err.toString());
        assertTrue(err.toString().contains("0 files written, 1 inputs skipped as already done"), err.toString());

        err = new StringWriter();
        assertEquals(1, run(out, err, "data", "prepare", "coco-stuff", "--root", root.toString(), "--strict"), err.toString());
        assertTrue(err.toString().contains("000000000285.png"), err.toString());

        // check: 1 of the official 5,000, and no image beside the label.
        out = new StringWriter();
        err = new StringWriter();
        assertEquals(1, run(out, err, "data", "check", "coco-stuff", "--root", root.toString()), err.toString());
        assertEquals(2, out.toString().strip().lines().count(), out.toString());
        assertTrue(out.toString().contains("1 label files, the official split has 5000"), out.toString());

        err = new StringWriter();
        assertEquals(1, run(out, err, "data", "prepare", "nope", "--root", root.toString()));
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("gkc: unknown dataset nope"), err.toString());
    }
}
