package org.gkc4j.pipeline.prepare;

import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.datasets.SemanticDataset;
import org.gkc4j.pipeline.datasets.SemanticSample;
import org.gkc4j.pipeline.datasets.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

import static org.gkc4j.pipeline.prepare.PrepareFixtures.assertLabels;
import static org.gkc4j.pipeline.prepare.PrepareFixtures.png8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Cityscapes against cityscapesscripts' table by hand: unlabeled 0, rectification border 2, guard rail 14 and
 * caravan 29 are ignored (255); road 7 is 0, sidewalk 8 is 1, person 24 is 11, car 26 is 13, bicycle 33 is 18;
 * 255 (license plate's -1 as uint8) stays 255; 40 is not a label id, so its file is damaged.
 */
class CityscapesPreparationTest {
    @TempDir
    Path root;

    @Test
    void labelIdsBecomeTrainIds() throws IOException {
        Path gt = root.resolve("cityscapes/gtFine");
        png8(gt.resolve("val/frankfurt/frankfurt_000000_000294_gtFine_labelIds.png"), 5, 0, 2, 14, 29, 255, 7, 8, 24, 26, 33);
        png8(gt.resolve("train/aachen/aachen_000000_000019_gtFine_labelIds.png"), 2, 7, 40, 7, 7);
        PrepareResult r = Preparer.run(new CityscapesPreparation(), root, LoadOptions.skipDamaged(), LoadReport.quiet(), Preparer.Progress.NONE);
        Path out = gt.resolve("val/frankfurt/frankfurt_000000_000294_gtFine_labelTrainIds.png");
        int[] want = {255, 255, 255, 255, 255, 0, 1, 11, 13, 18};
        assertLabels(out, 5, want);
        assertEquals(1, r.written());
        assertEquals(List.of("train/aachen/aachen_000000_000019_gtFine_labelIds.png"), r.damagedNames());
        assertEquals(5, r.classesPresent());
        assertEquals(5, r.pixelsIgnored());

        PrepareFixtures.image(root.resolve("cityscapes/leftImg8bit/val/frankfurt/frankfurt_000000_000294_leftImg8bit.png"), 5, 2, "png");
        Iterator<SemanticSample> it = SemanticDataset.CITYSCAPES_19.samples(root, Split.VAL, LoadOptions.failOnDamage(), LoadReport.quiet());
        assertArrayEquals(want, it.next().labels());
        assertFalse(it.hasNext());

        PrepareResult again = Preparer.run(new CityscapesPreparation(), root, LoadOptions.skipDamaged(), LoadReport.quiet(), Preparer.Progress.NONE);
        assertEquals(0, again.written());
        assertEquals(1, again.alreadyDone());
    }
}
