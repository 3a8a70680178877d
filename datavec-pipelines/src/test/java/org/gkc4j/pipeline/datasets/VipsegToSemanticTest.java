package org.gkc4j.pipeline.datasets;

import org.gkc4j.GkcException;
import org.gkc4j.io.LabelMap;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GKC's VIPSeg preparation rule against the shared sample's expected label maps, split by split, and resuming. */
class VipsegToSemanticTest {
    @TempDir
    Path tmp;

    private static List<Path> pngs(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".png")).map(root::relativize).sorted().toList();
        }
    }

    private VipsegToSemantic.Result convert(Path dir, VipsegSplit split, Path out, LoadReport report, List<String> progress) {
        return VipsegToSemantic.convert(dir.resolve("panoptic_gt_VIPSeg_val.json"), dir.resolve("panomasksRGB"), split, out,
                LoadOptions.skipDamaged(), report, (done, total, frame) -> progress.add(done + "/" + total + " " + frame));
    }

    @Test
    void everySplitMatchesTheExpectedLabelMapsPixelForPixel() throws IOException {
        Path dir = Shared.require("data/vipseg-sample");
        for (VipsegSplit split : VipsegSplit.values()) {
            Path expected = dir.resolve("expected").resolve(split.name().toLowerCase()), out = tmp.resolve(split.name());
            LoadReport report = LoadReport.quiet();
            List<String> progress = new ArrayList<>();
            VipsegToSemantic.Result r = convert(dir, split, out, report, progress);
            assertEquals(new VipsegToSemantic.Result(12, 0, 3, split == VipsegSplit.ALL ? 124 : split == VipsegSplit.BASE ? 112 : 12), r);
            assertEquals(12, progress.size());
            assertEquals("12/12 2285_ZjSA2hd_eBQ/00000005.png", progress.get(11));
            assertEquals(12, report.summary().segmentsDropped(), "one unlisted id a frame");
            List<Path> files = pngs(expected);
            assertEquals(12, files.size());
            assertEquals(files, pngs(out));
            int labelled = 0, max = -1;
            for (Path f : files) {
                LabelMap want = LabelMap.read(expected.resolve(f)), got = LabelMap.read(out.resolve(f));
                assertEquals(want.width(), got.width());
                assertEquals(want.height(), got.height());
                assertArrayEquals(want.values(), got.values(), split + " " + f);
                for (int v : got.values()) {
                    if (v != 255) {
                        labelled++;
                        max = Math.max(max, v);
                    }
                }
            }
            assertTrue(labelled > 0 && max < r.classes(), split + ": " + labelled + " labelled pixels, largest label " + max);
        }
    }

    @Test
    void aSecondRunResumesAndAnotherSplitIsRefused() throws IOException {
        Path dir = Shared.require("data/vipseg-sample"), out = tmp.resolve("base");
        convert(dir, VipsegSplit.BASE, out, LoadReport.quiet(), new ArrayList<>());
        Path one = out.resolve("1001_5nZmZi-Xv6w").resolve("00000002.png");
        byte[] before = Files.readAllBytes(one);
        Files.delete(one);
        VipsegToSemantic.Result again = convert(dir, VipsegSplit.BASE, out, LoadReport.quiet(), new ArrayList<>());
        assertEquals(new VipsegToSemantic.Result(1, 11, 3, 112), again);
        assertArrayEquals(before, Files.readAllBytes(one));
        GkcException e = assertThrows(GkcException.class, () -> convert(dir, VipsegSplit.NOVEL, out, LoadReport.quiet(), new ArrayList<>()));
        assertTrue(e.getMessage().contains("another split (split=base)"), e.getMessage());
        try (Stream<Path> s = Files.walk(out)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    @Test
    void aMissingFolderIsOneLine() {
        Path dir = Shared.require("data/vipseg-sample");
        GkcException e = assertThrows(GkcException.class, () -> VipsegToSemantic.convert(dir.resolve("panoptic_gt_VIPSeg_val.json"),
                tmp.resolve("nope"), VipsegSplit.ALL, tmp.resolve("o"), LoadOptions.skipDamaged(), LoadReport.quiet(), (a, b, c) -> { }));
        assertEquals("VIPSeg panomasksRGB folder not found: " + tmp.resolve("nope"), e.getMessage());
    }
}
