package org.gkc4j.pipeline.datasets;

import org.datavec.api.split.FileSplit;
import org.gkc4j.GkcException;
import org.gkc4j.pipeline.SegmentationSample;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.gkc4j.pipeline.SegmentationSample.VOID;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged COCO panoptic inputs are skipped with a counted warning, or stop the load when configured to. */
class CocoPanopticDamageTest {
    @TempDir
    Path dir;
    Path json, png, images, captions;

    /** Segment ids of a.png, row-major 4x3: 10 and 300 are listed, 999 is not, 0 is void. */
    static final int[] A_IDS = {10, 10, 10, 0, 10, 10, 300, 999, 10, 300, 300, 0};

    static void writePanoptic(Path file, int w, int h, int[] ids) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            img.setRGB(i % w, i / w, (id & 0xff) << 16 | (id >> 8 & 0xff) << 8 | id >> 16 & 0xff);
        }
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, "png", file.toFile()));
    }

    static void writeJpeg(Path file, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0x806040);
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, "jpg", file.toFile()));
    }

    @BeforeEach
    void fixture() throws IOException {
        json = dir.resolve("panoptic.json");
        png = dir.resolve("panoptic");
        images = dir.resolve("images");
        captions = dir.resolve("captions.json");
        StringBuilder imgs = new StringBuilder();
        for (String n : List.of("a", "b", "c", "d", "e")) {
            int id = n.charAt(0) - 'a' + 1;
            imgs.append(imgs.length() > 0 ? "," : "").append(String.format("{\"id\":%d,\"file_name\":\"%s.jpg\",\"width\":4,\"height\":3}", id, n));
        }
        String seg = "{\"id\":%d,\"category_id\":%d,\"iscrowd\":%d,\"area\":%d,\"bbox\":[0,0,1,1]}";
        String anns = String.join(",",
                "{\"image_id\":1,\"file_name\":\"a.png\",\"segments_info\":[" + String.format(seg, 10, 7, 0, 6) + "," + String.format(seg, 300, 9, 1, 3) + "]}",
                "{\"image_id\":2,\"file_name\":\"b.png\",\"segments_info\":[" + String.format(seg, 10, 7, 0, 12) + "]}",
                "{\"image_id\":3,\"file_name\":\"c.png\",\"segments_info\":[" + String.format(seg, 1, 42, 0, 12) + "]}",
                "{\"image_id\":4,\"file_name\":\"d.png\",\"segments_info\":[" + String.format(seg, 10, 7, 0, 12) + "]}",
                "{\"image_id\":5,\"file_name\":\"e.png\",\"segments_info\":[" + String.format(seg, 10, 7, 0, 15) + "]}",
                "{\"image_id\":99,\"file_name\":\"f.png\",\"segments_info\":[]}",
                "{\"image_id\":1,\"file_name\":\"g.png\"}");
        // Categories last, as COCO writes them.
        Files.writeString(json, "{\"info\":{\"x\":[1,{\"y\":2}]},\"images\":[" + imgs + "],\"annotations\":[" + anns
                + "],\"categories\":[{\"id\":7,\"name\":\"seven\",\"isthing\":1},{\"id\":9,\"name\":\"nine\",\"isthing\":0}]}");
        writePanoptic(png.resolve("a.png"), 4, 3, A_IDS);
        int[] tens = new int[12];
        Arrays.fill(tens, 10);
        writePanoptic(png.resolve("b.png"), 4, 3, tens);
        byte[] b = Files.readAllBytes(png.resolve("b.png"));
        Files.write(png.resolve("b.png"), Arrays.copyOf(b, b.length / 2));
        writePanoptic(png.resolve("c.png"), 4, 3, new int[12]);
        writePanoptic(png.resolve("d.png"), 4, 3, tens);
        writePanoptic(png.resolve("e.png"), 5, 3, new int[15]);
        for (String n : List.of("a", "b", "c", "e")) {
            writeJpeg(images.resolve(n + ".jpg"), n.equals("e") ? 5 : 4, 3);
        }
        Files.writeString(captions, "{\"images\":[],\"annotations\":[{\"image_id\":1,\"id\":1,\"caption\":\"a \\\"quoted\\\"\\ncaption\"},"
                + "{\"image_id\":\"x\",\"caption\":\"bad\"},{\"image_id\":1,\"id\":3,\"caption\":\"second\"}]}", StandardCharsets.UTF_8);
    }

    private CocoPanopticDataset open(LoadOptions o, LoadReport r) {
        return CocoPanopticDataset.open(json, png, images, captions, o, r);
    }

    @Test
    void damagedSamplesAreSkippedAndCountedAndUnknownIdsBecomeVoid() {
        LoadReport report = LoadReport.quiet();
        CocoPanopticDataset ds = open(LoadOptions.skipDamaged(), report);
        assertEquals(List.of("seven", "nine"), ds.classNames());
        assertEquals(3, report.summary().samplesSkipped(), report.summary().messages().toString()); // c, f, g at indexing
        List<SegmentationSample> got = new ArrayList<>();
        ds.samples(LoadOptions.skipDamaged(), report).forEachRemaining(got::add);

        assertEquals(1, got.size());
        SegmentationSample a = got.get(0);
        assertEquals("a", a.id());
        int[] want = {0, 0, 0, VOID, 0, 0, 1, VOID, 0, 1, 1, VOID};
        assertArrayEquals(want, a.segmentMap());
        assertEquals(0, a.segments().get(0).classIndex());
        assertEquals(1, a.segments().get(1).classIndex());
        assertEquals(300, a.segments().get(1).id());
        assertFalse(a.segments().get(0).crowd());
        assertTrue(a.segments().get(1).crowd());
        assertEquals(List.of("a \"quoted\"\ncaption", "second"), a.captions());

        LoadReport.Summary s = report.summary();
        assertEquals(1, s.samplesLoaded());
        assertEquals(6, s.samplesSkipped(), s.messages().toString());    // c, f, g + b (truncated), d (no image), e (size)
        assertEquals(1, s.segmentsDropped());
        assertEquals(1, s.droppedPixels());
        assertEquals(1, s.otherWarnings());                                 // the bad caption entry
        String all = String.join("\n", s.messages());
        assertTrue(all.contains("annotation c.png has segment 1 of category 42, which the categories list lacks"), all);
        assertTrue(all.contains("annotation f.png names image id 99"), all);
        assertTrue(all.contains("annotation g.png lacks file_name, image_id or segments_info"), all);
        assertTrue(all.contains("cannot decode image " + png.resolve("b.png")), all);
        assertTrue(all.contains("image not found: " + images.resolve("d.jpg")), all);
        assertTrue(all.contains("panoptic PNG " + png.resolve("e.png") + " is 5x3 but the JSON says 4x3"), all);
        assertTrue(all.contains("segment ids the JSON does not list: 999 (1 px)"), all);
        s.messages().forEach(m -> assertEquals(1, m.lines().count(), m));
    }

    @Test
    void aFileSplitDoesNotCountAnIndexRejectionTwiceButReportsStrayPngs() throws Exception {
        writePanoptic(png.resolve("stray.png"), 4, 3, new int[12]);
        LoadReport report = LoadReport.quiet();
        CocoPanopticDataset ds = open(LoadOptions.skipDamaged(), report);
        CocoPanopticRecordReader r = new CocoPanopticRecordReader(ds, LoadOptions.skipDamaged(), report);
        r.initialize(new FileSplit(png.toFile(), new String[]{"png"}));
        int n = 0;
        while (r.hasNext()) {
            r.next();
            n++;
        }
        assertEquals(1, n);
        // 3 at indexing, then b, d, e and stray.png; c.png is not counted again.
        assertEquals(7, report.summary().samplesSkipped(), report.summary().messages().toString());
        assertTrue(report.summary().messages().stream().anyMatch(m -> m.contains("stray.png has no annotation")));
    }

    @Test
    void failOnDamageStopsAtTheFirstProblemWithOneLine() {
        GkcException e = assertThrows(GkcException.class, () -> open(LoadOptions.failOnDamage(), LoadReport.quiet()));
        // g.png's missing fields are seen while streaming; c.png's unknown category only once the categories are read.
        assertTrue(e.getMessage().endsWith("annotation g.png lacks file_name, image_id or segments_info"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void failOnDamageAlsoStopsAtAnUnknownSegmentId() throws IOException {
        Files.writeString(json, "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":4,\"height\":3}],\"annotations\":[{\"image_id\":1,"
                + "\"file_name\":\"a.png\",\"segments_info\":[{\"id\":10,\"category_id\":7,\"iscrowd\":0,\"area\":6},{\"id\":300,\"category_id\":7,\"iscrowd\":0,\"area\":3}]}],"
                + "\"categories\":[{\"id\":7,\"name\":\"seven\"}]}");
        CocoPanopticDataset ds = CocoPanopticDataset.open(json, png, images, null, LoadOptions.failOnDamage(), LoadReport.quiet());
        var it = ds.samples(LoadOptions.failOnDamage(), LoadReport.quiet());
        GkcException e = assertThrows(GkcException.class, it::hasNext);
        assertTrue(e.getMessage().contains("holds segment ids the JSON does not list: 999"), e.getMessage());
    }

    @Test
    void malformedOrOversizedJsonIsAFatalOneLineError() throws IOException {
        String text = Files.readString(json);
        Files.writeString(json, text.substring(0, text.length() / 2));
        GkcException e = assertThrows(GkcException.class, () -> open(LoadOptions.skipDamaged(), LoadReport.quiet()));
        assertTrue(e.getMessage().startsWith("damaged panoptic JSON " + json), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());

        Files.writeString(json, text);
        LoadOptions tiny = new LoadOptions(LoadOptions.OnDamage.SKIP, 1 << 20, 100);
        e = assertThrows(GkcException.class, () -> open(tiny, LoadReport.quiet()));
        assertTrue(e.getMessage().contains("bytes; the limit is 100"), e.getMessage());

        Files.writeString(json, "[1,2]");
        e = assertThrows(GkcException.class, () -> open(LoadOptions.skipDamaged(), LoadReport.quiet()));
        assertTrue(e.getMessage().contains("it is not a JSON object"), e.getMessage());

        Files.writeString(json, "{\"annotations\":[],\"categories\":[]}");
        e = assertThrows(GkcException.class, () -> open(LoadOptions.skipDamaged(), LoadReport.quiet()));
        assertTrue(e.getMessage().contains("defines no categories"), e.getMessage());

        Files.writeString(json, "{\"categories\":[{\"id\":1,\"name\":\"x\"}], \"images\":[], \"annotations\":[" + "[".repeat(100) + "]".repeat(100) + "]}");
        e = assertThrows(GkcException.class, () -> open(LoadOptions.skipDamaged(), LoadReport.quiet()));
        assertTrue(e.getMessage().contains("damaged panoptic JSON") && e.getMessage().toLowerCase().contains("nesting depth"), e.getMessage());
    }

    @Test
    void detectron2sCoco2017LayoutIsFoundFromTheRoot() throws IOException {
        Path root = dir.resolve("datasets"), coco = root.resolve("coco");
        Files.createDirectories(coco.resolve("annotations"));
        Files.move(json, coco.resolve("annotations/panoptic_val2017.json"));
        Files.move(captions, coco.resolve("annotations/captions_val2017.json"));
        Files.move(png, coco.resolve("panoptic_val2017"));
        Files.move(images, coco.resolve("val2017"));
        LoadReport report = LoadReport.quiet();
        CocoPanopticDataset ds = CocoPanopticDataset.coco2017(root, "val2017", LoadOptions.skipDamaged(), report);
        List<SegmentationSample> got = new ArrayList<>();
        ds.samples(LoadOptions.skipDamaged(), report).forEachRemaining(got::add);
        assertEquals(List.of("a"), got.stream().map(SegmentationSample::id).toList());
        assertEquals(2, got.get(0).captions().size());
    }

    @Test
    void oversizedImagesAreRejectedBeforeDecoding() {
        LoadReport report = LoadReport.quiet();
        LoadOptions small = LoadOptions.skipDamaged().withMaxImagePixels(10);
        List<SegmentationSample> got = new ArrayList<>();
        open(small, report).samples(small, report).forEachRemaining(got::add);
        assertEquals(0, got.size());
        assertTrue(report.summary().messages().stream().anyMatch(m -> m.contains("is 4x3 pixels; the limit is 10 pixels")));
    }
}
