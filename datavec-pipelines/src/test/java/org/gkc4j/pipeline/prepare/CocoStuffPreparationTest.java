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
import java.util.Iterator;
import java.util.List;

import static org.gkc4j.pipeline.prepare.PrepareFixtures.assertLabels;
import static org.gkc4j.pipeline.prepare.PrepareFixtures.png8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * COCO-Stuff against the rule worked out by hand: stored (0-based COCO) values 0..10 are classes 0..10, 11 (COCO id
 * 12) is unused, 12..24 are 11..23 (so 20 cow is 19), 90 (id 91) is unused, the stuff 91..181 are 80..170 (so 171
 * wall-concrete is 160), 182 ("other") and 255 are 255. Zero-shot: base counts only the 156 seen (91 is the 74th
 * seen class, 73; 181 the last, 155), novel the 15 unseen in id order (20 is 0, 171 is 14).
 */
class CocoStuffPreparationTest {
    @TempDir
    Path root;

    static final int[] RAW = {0, 11, 20, 90, 91, 171, 181, 182, 255};
    static final int[] ALL = {0, 255, 19, 255, 80, 160, 170, 255, 255};
    static final int[] BASE = {0, 255, 255, 255, 73, 255, 155, 255, 255};
    static final int[] NOVEL = {255, 255, 0, 255, 255, 14, 255, 255, 255};

    private Path in(String split, String name) {
        return root.resolve("coco/stuffthingmaps").resolve(split).resolve(name);
    }

    private Path out(String folder, String name) {
        return root.resolve("coco/stuffthingmaps_detectron2").resolve(folder).resolve(name);
    }

    private PrepareResult run(boolean zeroShot, LoadOptions options) {
        return Preparer.run(new CocoStuffPreparation(zeroShot), root, options, LoadReport.quiet(), Preparer.Progress.NONE);
    }

    @Test
    void mapsTheIdsInUseToContiguousIndicesAndSkipsEmptyMaps() throws IOException {
        png8(in("val2017", "000000000001.png"), 3, RAW);
        png8(in("train2017", "000000000002.png"), 2, 11, 182, 255, 90); // nothing in use
        PrepareResult r = run(false, LoadOptions.skipDamaged());
        assertLabels(out("val2017", "000000000001.png"), 3, ALL);
        assertFalse(Files.exists(out("train2017", "000000000002.png")), "a map with no class in use is not written");
        assertEquals(1, r.written());
        assertEquals(1, r.empty());
        assertEquals(5, r.classesPresent());
        assertEquals(171, r.numClasses());
        assertEquals(4 + 4, r.pixelsIgnored(), "the unwritten map's pixels count too");
        assertTrue(r.line().contains("1 files written") && r.line().contains("5 of 171 classes present"), r.line());

        // Read back through the reader the training and evaluation code use.
        PrepareFixtures.image(root.resolve("coco/val2017/000000000001.jpg"), 3, 3, "jpg");
        Iterator<SemanticSample> it = SemanticDataset.COCO_STUFF_171.samples(root, Split.VAL, LoadOptions.failOnDamage(), LoadReport.quiet());
        assertArrayEquals(ALL, it.next().labels());
        assertFalse(it.hasNext());
    }

    @Test
    void zeroShotWritesBaseAndNovelMaps() throws IOException {
        png8(in("val2017", "a.png"), 3, RAW);
        png8(in("train2017", "b.png"), 2, 20, 171, 255, 255); // only unseen classes: no base map
        PrepareResult r = run(true, LoadOptions.skipDamaged());
        assertLabels(out("val2017", "a.png"), 3, ALL);
        assertLabels(out("val2017_base", "a.png"), 3, BASE);
        assertLabels(out("val2017_novel", "a.png"), 3, NOVEL);
        assertLabels(out("train2017", "b.png"), 2, 19, 160, 255, 255);
        assertLabels(out("train2017_novel", "b.png"), 2, 0, 14, 255, 255);
        assertFalse(Files.exists(out("train2017_base", "b.png")));
        assertEquals(5, r.written());
        assertEquals(1, r.empty());
    }

    @Test
    void theUnseenClassesAreTheFifteenOfTheZeroShotSplit() {
        ClassNames names = ClassNames.load("coco-stuff-171");
        List<String> unseen = new java.util.ArrayList<>();
        for (int stored : CocoStuffPreparation.NOVEL) {
            for (int i = 0; i < names.size(); i++) {
                if (names.datasetIds()[i] == stored + 1) {
                    unseen.add(names.name(i));
                }
            }
        }
        assertEquals(List.of("cow", "giraffe", "suitcase", "frisbee", "skateboard", "carrot", "scissors", "cardboard", "clouds", "grass",
                "playingfield", "river", "road", "tree", "wall-concrete"), unseen);
        assertEquals(171, CocoStuffPreparation.storedIds().length);
    }

    @Test
    void resumesAndCountsDamagedInputs() throws IOException {
        png8(in("val2017", "a.png"), 3, RAW);
        png8(in("val2017", "b.png"), 2, 0, 1, 2, 3);
        png8(in("val2017", "c.png"), 2, 0, 1, 2, 3);
        PrepareFixtures.truncate(in("val2017", "c.png"));
        PrepareResult first = run(false, LoadOptions.skipDamaged());
        assertEquals(2, first.written());
        assertEquals(1, first.damaged());
        assertEquals(List.of("val2017/c.png"), first.damagedNames());
        assertTrue(first.line().contains("1 damaged (val2017/c.png)"), first.line());

        long stamp = Files.getLastModifiedTime(out("val2017", "a.png")).toMillis();
        PrepareResult second = run(false, LoadOptions.skipDamaged());
        assertEquals(0, second.written(), "a second run writes nothing new");
        assertEquals(2, second.alreadyDone());
        assertEquals(stamp, Files.getLastModifiedTime(out("val2017", "a.png")).toMillis());

        GkcException e = assertThrows(GkcException.class, () -> run(false, LoadOptions.failOnDamage()));
        assertTrue(e.getMessage().contains("c.png"), e.getMessage());
    }

    @Test
    void aMissingReleaseIsOneLineError() {
        GkcException e = assertThrows(GkcException.class, () -> run(false, LoadOptions.skipDamaged()));
        assertTrue(e.getMessage().contains("stuffthingmaps_trainval2017.zip"), e.getMessage());
    }
}
