package org.gkc4j.pipeline.prepare;

import org.gkc4j.GkcException;
import org.gkc4j.io.LabelMap;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.datasets.SemanticDataset;
import org.gkc4j.pipeline.datasets.SemanticSample;
import org.gkc4j.pipeline.datasets.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ADE20K-847 from an index pickled by Python with NumPy arrays (resources prepare/ade20k, make_fixtures.py) and seg
 * PNGs made here. By hand: class = (R / 10) * 256 + G, so (115, 162) is ADE id 2978 wall (0), (10, 56) is 312
 * building (1), (129, 76) is 3148 adding machine (846), (0, 0) is no class (65535). A 600x520 image is scaled to
 * 591x512 (600 / 520 * 512 = 590.77); destination column x reads source column floor(x * 600 / 591), so a boundary
 * at source column 300 falls between destination columns 295 and 296.
 */
class Ade20k847PreparationTest {
    @TempDir
    Path root;

    static final int WALL = 115 << 16 | 162 << 8, BUILDING = 10 << 16 | 56 << 8, ADDING = 129 << 16 | 76 << 8, NONE = 0;

    private void index(String fixture) throws IOException {
        Path index = root.resolve(Ade20k847Preparation.INDEX);
        Files.createDirectories(index.getParent());
        try (InputStream in = getClass().getResourceAsStream("/prepare/ade20k/" + fixture)) {
            Files.copy(in, index);
        }
    }

    private void pair(String folder, String stem, int w, int h, int[] segRgb) throws IOException {
        Path dir = root.resolve(folder);
        Files.createDirectories(dir);
        PrepareFixtures.image(dir.resolve(stem + ".jpg"), w, h, "jpg");
        BufferedImage seg = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        seg.setRGB(0, 0, w, h, segRgb, 0, w);
        assertTrue(ImageIO.write(seg, "png", dir.resolve(stem + "_seg.png").toFile()));
    }

    private PrepareResult run() {
        return Preparer.run(new Ade20k847Preparation(), root, LoadOptions.skipDamaged(), LoadReport.quiet(), Preparer.Progress.NONE);
    }

    @Test
    void preparesFromThePickledIndex() throws IOException {
        index("index_protocol2.pkl");
        pair("ADE20K_2021_17_01/images/ADE/training/urban/street", "ADE_train_00000001", 2, 2, new int[]{WALL, BUILDING, ADDING, NONE});
        int w = 600, h = 520;
        int[] seg = new int[w * h];
        for (int i = 0; i < seg.length; i++) {
            seg[i] = i % w < 300 ? BUILDING : WALL;
        }
        pair("ADE20K_2021_17_01/images/ADE/validation/urban/street", "ADE_val_00000001", w, h, seg);
        PrepareResult r = run();
        assertEquals(4, r.units());
        assertEquals(4, r.written(), "two label maps and two images");
        assertEquals(List.of("ADE20K_2021_17_01/images/ADE/validation/urban/street/ADE_val_00000002.jpg",
                "ADE20K_2021_17_01/images/ADE/training/home/ADE_frame_00000003.jpg"), r.damagedNames());
        Path out = root.resolve("ADE20K_2021_17_01");
        PrepareFixtures.assertLabels(out.resolve("annotations_detectron2/training/ADE_train_00000001.tif"), 2, 0, 1, 846, 65535);
        assertTrue(Files.isRegularFile(out.resolve("images_detectron2/training/ADE_train_00000001.jpg")));

        LabelMap big = LabelMap.read(out.resolve("annotations_detectron2/validation/ADE_val_00000001.tif"));
        assertEquals(591, big.width());
        assertEquals(512, big.height());
        for (int y : new int[]{0, 511}) {
            assertEquals(1, big.get(295, y));
            assertEquals(0, big.get(296, y));
        }
        BufferedImage img = ImageIO.read(out.resolve("images_detectron2/validation/ADE_val_00000001.jpg").toFile());
        assertEquals(591, img.getWidth());
        assertEquals(512, img.getHeight());

        Iterator<SemanticSample> it = SemanticDataset.ADE20K_847.samples(root, Split.VAL, LoadOptions.failOnDamage(), LoadReport.quiet());
        assertEquals(591 * 512, it.next().labels().length);
        assertFalse(it.hasNext());

        PrepareResult again = run();
        assertEquals(0, again.written());
        assertEquals(2, again.alreadyDone());
    }

    @Test
    void readsProtocolFourAndTheSizeRule() throws IOException {
        index("index_protocol4.pkl");
        pair("ADE20K_2021_17_01/images/ADE/training/urban/street", "ADE_train_00000001", 2, 1, new int[]{WALL, ADDING});
        PrepareResult r = run();
        assertEquals(2, r.written());
        PrepareFixtures.assertLabels(root.resolve("ADE20K_2021_17_01/annotations_detectron2/training/ADE_train_00000001.tif"), 2, 0, 846);
        assertArrayEquals(new int[]{512, 512}, Ade20k847Preparation.resized(512, 512));
        assertArrayEquals(new int[]{639, 512}, Ade20k847Preparation.resized(640, 513)); // 640 / 513 * 512 = 638.75
        assertArrayEquals(new int[]{600, 400}, Ade20k847Preparation.resized(600, 400)); // shorter side not above 512
        assertArrayEquals(new int[]{512, 684}, Ade20k847Preparation.resized(600, 801)); // 801 / 600 * 512 = 683.52
        assertArrayEquals(new int[]{683, 512}, Ade20k847Preparation.resized(1000, 750)); // 682.67
    }

    @Test
    void aPickleThatWouldRunCodeIsRefused() throws IOException {
        index("index_hostile.pkl");
        GkcException e = assertThrows(GkcException.class, this::run);
        assertTrue(e.getMessage().contains("system") && e.getMessage().contains("not allowed"), e.getMessage());
    }
}
