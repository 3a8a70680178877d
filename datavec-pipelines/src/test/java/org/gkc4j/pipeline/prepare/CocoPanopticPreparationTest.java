package org.gkc4j.pipeline.prepare;

import org.gkc4j.io.LabelMap;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.datasets.PanopticToSemantic;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code prepare coco-panoptic} on the shared real COCO sample laid out as COCO val2017: the same label maps as
 * {@code coco-panoptic-to-semantic} (whose test checks them pixel by pixel against the rule), and the captions check.
 */
class CocoPanopticPreparationTest {
    @TempDir
    Path root;

    @Test
    void writesTheSemanticMapsAndChecksTheCaptions() throws IOException {
        Path sample = Shared.require("data/coco-panoptic-sample");
        Path coco = root.resolve("coco"), ann = coco.resolve("annotations"), pngs = coco.resolve("panoptic_val2017");
        Files.createDirectories(ann);
        Files.createDirectories(pngs);
        Files.copy(sample.resolve("panoptic_examples.json"), ann.resolve("panoptic_val2017.json"));
        List<Path> names;
        try (var s = Files.list(sample.resolve("panoptic_examples"))) {
            names = s.sorted().toList();
        }
        for (Path p : names) {
            Files.copy(p, pngs.resolve(p.getFileName()));
        }
        Files.writeString(ann.resolve("captions_val2017.json"), "{\"annotations\": [{\"image_id\": 142238, \"id\": 1, \"caption\": \"a cat\"}]}");

        PrepareResult r = Preparer.run(new CocoPanopticPreparation(), root, LoadOptions.skipDamaged(), LoadReport.quiet(), Preparer.Progress.NONE);
        assertEquals(names.size(), r.written());
        assertEquals(1, r.checked(), "the captions file");
        assertEquals(133, r.numClasses());
        Path reference = root.resolve("reference");
        PanopticToSemantic.convert(ann.resolve("panoptic_val2017.json"), pngs, reference, LoadOptions.failOnDamage(), LoadReport.quiet());
        for (Path p : names) {
            assertArrayEquals(LabelMap.read(reference.resolve(p.getFileName())).values(),
                    LabelMap.read(coco.resolve("panoptic_semseg_val2017").resolve(p.getFileName())).values(), p.toString());
        }

        Files.writeString(ann.resolve("captions_val2017.json"), "{\"annotations\": [{\"image_id\": 1, ");
        PrepareResult again = Preparer.run(new CocoPanopticPreparation(), root, LoadOptions.skipDamaged(), LoadReport.quiet(), Preparer.Progress.NONE);
        assertEquals(0, again.written());
        assertEquals(names.size(), again.alreadyDone());
        assertEquals(List.of("captions_val2017.json"), again.damagedNames());
        assertTrue(again.line().contains("1 damaged (captions_val2017.json)"), again.line());
    }
}
