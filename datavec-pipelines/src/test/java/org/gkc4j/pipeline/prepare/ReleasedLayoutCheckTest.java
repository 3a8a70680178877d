package org.gkc4j.pipeline.prepare;

import org.gkc4j.GkcException;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.datasets.SemanticDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.gkc4j.pipeline.prepare.PrepareFixtures.png8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code prepare ade20k-150 / pascal-voc-20}: the release is checked, nothing written; and {@code data check}. */
class ReleasedLayoutCheckTest {
    @TempDir
    Path root;

    private Path ade(String sub) {
        return root.resolve("ADEChallengeData2016").resolve(sub);
    }

    private void adeFixture() throws IOException {
        png8(ade("annotations/validation/ADE_val_00000001.png"), 2, 0, 1, 150, 3);
        png8(ade("annotations/validation/ADE_val_00000002.png"), 2, 0, 151, 2, 3); // 151: not a class
        png8(ade("annotations/validation/ADE_val_00000003.png"), 2, 1, 1, 1, 1); // no image
        PrepareFixtures.image(ade("images/validation/ADE_val_00000001.jpg"), 2, 2, "jpg");
        PrepareFixtures.image(ade("images/validation/ADE_val_00000002.jpg"), 2, 2, "jpg");
    }

    @Test
    void validatesAde20kValuesAndImages() throws IOException {
        adeFixture();
        LoadReport report = LoadReport.quiet();
        PrepareResult r = Preparer.run(Preparations.of("ade20k-150", false), root, LoadOptions.skipDamaged(), report, Preparer.Progress.NONE);
        assertEquals(0, r.written());
        assertEquals(1, r.checked());
        assertEquals(List.of("ADEChallengeData2016/annotations/validation/ADE_val_00000002.png",
                "ADEChallengeData2016/annotations/validation/ADE_val_00000003.png"), r.damagedNames());
        assertEquals(3, r.classesPresent());
        assertEquals(1, r.pixelsIgnored());
        assertTrue(report.summary().messages().stream().anyMatch(m -> m.contains("training")), "the missing training split is a warning");
    }

    @Test
    void validatesPascalVoc() throws IOException {
        Path voc = root.resolve("VOCdevkit/VOC2012");
        Files.createDirectories(voc.resolve("ImageSets/Segmentation"));
        Files.writeString(voc.resolve("ImageSets/Segmentation/val.txt"), "2007_000033\n2007_000042\n");
        new org.gkc4j.io.LabelMap(2, 2, new int[]{0, 1, 20, 255}).writePalettePng(voc.resolve("SegmentationClass/2007_000033.png"),
                new java.awt.image.IndexColorModel(8, 256, new byte[256], new byte[256], new byte[256]));
        PrepareFixtures.image(voc.resolve("JPEGImages/2007_000033.jpg"), 2, 2, "jpg");
        PrepareResult r = Preparer.run(Preparations.of("pascal-voc-20", false), root, LoadOptions.skipDamaged(), LoadReport.quiet(), Preparer.Progress.NONE);
        assertEquals(1, r.checked());
        assertEquals(1, r.damaged(), "2007_000042 is listed but absent");
        assertEquals(2, r.classesPresent());
    }

    @Test
    void checkReportsCountsAndDamageOneLineEach() throws IOException {
        adeFixture();
        List<String> problems = DatasetCheck.problems("ade20k-150", root);
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("3 label files, the official split has 2000"), problems.get(0));
        assertTrue(problems.get(1).contains("151"), problems.get(1));
        assertTrue(problems.get(2).contains("image not found"), problems.get(2));
        problems.forEach(p -> assertTrue(!p.contains("\n"), p));

        assertEquals(1, DatasetCheck.problems("cityscapes-19", root).size(), "a missing folder is one problem");
        assertThrows(GkcException.class, () -> DatasetCheck.expectation("nope"));
        assertEquals(SemanticDataset.COCO_STUFF_171, DatasetCheck.expectation("coco-stuff-171").dataset());
    }

    @Test
    void unknownDatasetsAreOneLineErrors() {
        assertTrue(assertThrows(GkcException.class, () -> Preparations.of("nope", false)).getMessage().contains("coco-stuff"));
        assertTrue(assertThrows(GkcException.class, () -> Preparations.of("cityscapes-19", true)).getMessage().contains("--zero-shot"));
    }
}
