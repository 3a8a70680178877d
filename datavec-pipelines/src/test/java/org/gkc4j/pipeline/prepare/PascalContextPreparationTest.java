package org.gkc4j.pipeline.prepare;

import org.gkc4j.GkcException;
import org.gkc4j.pipeline.datasets.ClassNames;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.datasets.SemanticDataset;
import org.gkc4j.pipeline.datasets.SemanticSample;
import org.gkc4j.pipeline.datasets.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.gkc4j.pipeline.prepare.PrepareFixtures.assertLabels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PASCAL-Context 59 and 459 from SciPy-written {@code LabelMap}s ({@link MatFileTest#A}, {@link MatFileTest#B}),
 * against the rules by hand. 59: ids 2 aeroplane, 9 bag, 18 bed, 22 bench, 44 building, 65 cat, 458 wood are 0, 1,
 * 2, 4, 10, 14, 58; everything else (0, 1, 3, 100, 255, 400, 459) is 255. 459: label - 1, 0 becomes 65535.
 */
class PascalContextPreparationTest {
    @TempDir
    Path root;

    static final int[] PC59_A = {255, 0, 1, 255, 2, 255, 255, 58, 255, 255, 10, 255};
    static final int[] PC59_B = {4, 4, 255, 14, 255, 255, 255, 0, 0, 255};
    static final int[] PC459_A = {65535, 1, 8, 458, 17, 0, 254, 457, 2, 65535, 43, 99};
    static final int[] PC459_B = {21, 21, 65535, 64, 399, 458, 0, 1, 1, 65535};

    private Path voc() {
        return root.resolve("VOCdevkit/VOC2010");
    }

    private void release() throws IOException {
        Path mats = voc().resolve("trainval");
        Files.createDirectories(mats);
        MatFileTest.fixture(mats, "2008_000001.mat");
        MatFileTest.fixture(mats, "2008_000002.mat");
        Files.copy(mats.resolve("2008_000001.mat"), mats.resolve("2008_000004.mat"));
        PrepareFixtures.truncate(mats.resolve("2008_000004.mat"));
        Files.copy(mats.resolve("2008_000001.mat"), mats.resolve("2008_000009.mat"));
        Files.createDirectories(voc().resolve("ImageSets/Main"));
        // 000003 has no .mat, 000004 is truncated; 000009 is not in the val list.
        Files.writeString(voc().resolve("ImageSets/Main/val.txt"), "2008_000001\n2008_000002\n2008_000003\n2008_000004\n");
    }

    private PrepareResult run(Preparation p) {
        return Preparer.run(p, root, LoadOptions.skipDamaged(), LoadReport.quiet(), Preparer.Progress.NONE);
    }

    @Test
    void pc59MapsTheSubsetInListOrder() throws IOException {
        release();
        PrepareResult r = run(new PascalContext59Preparation());
        Path out = voc().resolve("annotations_detectron2/pc59_val");
        assertLabels(out.resolve("2008_000001.png"), 4, PC59_A);
        assertLabels(out.resolve("2008_000002.png"), 5, PC59_B);
        assertEquals(2, r.written());
        assertEquals(List.of("2008_000003.mat", "2008_000004.mat"), r.damagedNames());
        assertEquals(7, r.classesPresent());
        assertEquals(1, Files.list(voc().resolve("trainval")).filter(p -> p.toString().endsWith("09.mat")).count());
        assertEquals(2, Files.list(out).count(), "only val ids");

        PrepareFixtures.image(voc().resolve("JPEGImages/2008_000001.jpg"), 4, 3, "jpg");
        PrepareFixtures.image(voc().resolve("JPEGImages/2008_000002.jpg"), 5, 2, "jpg");
        Iterator<SemanticSample> it = SemanticDataset.PASCAL_CONTEXT_59.samples(root, Split.VAL, LoadOptions.failOnDamage(), LoadReport.quiet());
        assertArrayEquals(PC59_A, it.next().labels());
        assertArrayEquals(PC59_B, it.next().labels());
    }

    @Test
    void pc459IsLabelMinusOneIn16BitTiff() throws IOException {
        release();
        PrepareResult r = run(new PascalContext459Preparation());
        Path out = voc().resolve("annotations_detectron2/pc459_val");
        assertLabels(out.resolve("2008_000001.tif"), 4, PC459_A);
        assertLabels(out.resolve("2008_000002.tif"), 5, PC459_B);
        assertEquals(2, r.damaged());
        assertEquals(4, r.pixelsIgnored());

        PrepareFixtures.image(voc().resolve("JPEGImages/2008_000001.jpg"), 4, 3, "jpg");
        PrepareFixtures.image(voc().resolve("JPEGImages/2008_000002.jpg"), 5, 2, "jpg");
        Iterator<SemanticSample> it = SemanticDataset.PASCAL_CONTEXT_459.samples(root, Split.VAL, LoadOptions.failOnDamage(), LoadReport.quiet());
        assertArrayEquals(PC459_A, it.next().labels());
        assertArrayEquals(PC459_B, it.next().labels());

        assertEquals(0, run(new PascalContext459Preparation()).written(), "resumed: nothing new");
        GkcException e = assertThrows(GkcException.class, () -> Preparer.run(new PascalContext459Preparation(), root, LoadOptions.failOnDamage(),
                LoadReport.quiet(), Preparer.Progress.NONE));
        assertTrue(e.getMessage().contains("2008_000003.mat"), e.getMessage());
    }

    @Test
    void pascalcontextValListWinsWhenPresent() throws IOException {
        release();
        Files.writeString(voc().resolve("pascalcontext_val.txt"), "2008_000002\n");
        PrepareResult r = run(new PascalContext59Preparation());
        assertEquals(1, r.units());
        assertLabels(voc().resolve("annotations_detectron2/pc59_val/2008_000002.png"), 5, PC59_B);
    }

    @Test
    void theFiftyNineIdsNameTheFiftyNineClasses() {
        ClassNames pc459 = ClassNames.load("pascal-context-459"), pc59 = ClassNames.load("pascal-context-59");
        List<String> viaIds = new ArrayList<>();
        for (int id : PascalContext59Preparation.IDS) {
            for (int i = 0; i < pc459.size(); i++) {
                if (pc459.datasetIds()[i] == id) {
                    viaIds.add(pc459.name(i));
                }
            }
        }
        assertEquals(pc59.names(), viaIds);
    }

    @Test
    void aMissingReleaseSaysWhatToUnpack() {
        GkcException e = assertThrows(GkcException.class, () -> run(new PascalContext59Preparation()));
        assertTrue(e.getMessage().contains("trainval.tar.gz"), e.getMessage());
    }
}
