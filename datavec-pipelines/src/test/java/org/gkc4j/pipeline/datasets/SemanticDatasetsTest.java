package org.gkc4j.pipeline.datasets;

import org.datavec.api.records.reader.RecordReader;
import org.datavec.api.writable.Writable;
import org.gkc4j.GkcException;
import org.gkc4j.io.LabelMap;
import org.gkc4j.pipeline.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every semantic dataset on a small fixture written in its exact layout and file format: 8-bit grayscale PNG, palette
 * PNG (Pascal VOC) or 16-bit grayscale TIFF (ADE20K-847, Pascal Context 459), JPEG or PNG images.
 */
class SemanticDatasetsTest {
    @TempDir
    Path root;

    static final int W = 4, H = 3;

    static void writeJpeg(Path file, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 1, 0xff8000);
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, "jpg", file.toFile()));
    }

    static RgbImage pattern(int w, int h) {
        RgbImage img = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.set(x, y, 10 * x, 20 * y, 7 * x + y);
            }
        }
        return img;
    }

    /** Pascal VOC's colour map (bits of the index spread over the high bits of R, G, B). */
    static IndexColorModel vocPalette() {
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        for (int i = 0; i < 256; i++) {
            int c = i, rr = 0, gg = 0, bb = 0;
            for (int j = 0; j < 8; j++) {
                rr |= (c & 1) << (7 - j);
                gg |= (c >> 1 & 1) << (7 - j);
                bb |= (c >> 2 & 1) << (7 - j);
                c >>= 3;
            }
            r[i] = (byte) rr;
            g[i] = (byte) gg;
            b[i] = (byte) bb;
        }
        return new IndexColorModel(8, 256, r, g, b);
    }

    private static List<SemanticSample> all(Iterator<SemanticSample> it) {
        List<SemanticSample> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /** Writes 8-bit grayscale label PNGs (or 16-bit TIFFs) with JPEG images under a paired-folders layout. */
    private void pairedFixture(SemanticDataset ds, Split split, String id, int[] raw) throws IOException {
        SemanticLayout.PairedFolders l = (SemanticLayout.PairedFolders) ds.layout();
        Path label = root.resolve(split == Split.TRAIN ? l.labelsTrain() : l.labelsVal()).resolve(id + l.labelExt());
        Files.createDirectories(label.getParent());
        LabelMap m = new LabelMap(W, H, raw);
        if (l.labelExt().equals(".tif")) {
            m.writeTiff16(label);
        } else {
            m.writePng8(label);
        }
        writeJpeg(root.resolve(split == Split.TRAIN ? l.imagesTrain() : l.imagesVal()).resolve(id + l.imageExt()), W, H);
    }

    private void checkPaired(SemanticDataset ds, Split split, int[] raw, int[] want) throws IOException {
        pairedFixture(ds, split, "img_2", raw);
        pairedFixture(ds, split, "img_1", raw);
        LoadReport report = LoadReport.quiet();
        List<SemanticSample> got = all(ds.samples(root, split, LoadOptions.failOnDamage(), report));
        assertEquals(List.of("img_1", "img_2"), got.stream().map(SemanticSample::id).toList(), ds.key());
        for (SemanticSample s : got) {
            assertArrayEquals(want, s.labels(), ds.key());
            assertEquals(W, s.image().width());
            assertEquals(H, s.image().height());
            assertEquals(ds.ignoreLabel(), s.ignoreLabel());
        }
        assertEquals(2, report.summary().samplesLoaded());
    }

    @Test
    void cocoStuff171() throws IOException {
        checkPaired(SemanticDataset.COCO_STUFF_171, Split.VAL,
                new int[]{0, 170, 255, 5, 0, 0, 1, 2, 3, 4, 5, 6},
                new int[]{0, 170, 255, 5, 0, 0, 1, 2, 3, 4, 5, 6});
        checkPaired(SemanticDataset.COCO_STUFF_171, Split.TRAIN, new int[12], new int[12]);
        assertEquals("person", SemanticDataset.COCO_STUFF_171.classNames().name(0));
    }

    @Test
    void cocoPanoptic133SemanticView() throws IOException {
        checkPaired(SemanticDataset.COCO_PANOPTIC_133, Split.VAL,
                new int[]{0, 132, 255, 7, 0, 0, 0, 0, 0, 0, 0, 0},
                new int[]{0, 132, 255, 7, 0, 0, 0, 0, 0, 0, 0, 0});
    }

    @Test
    void ade20k150ShiftsByOneAndIgnoresZero() throws IOException {
        checkPaired(SemanticDataset.ADE20K_150, Split.VAL,
                new int[]{0, 1, 150, 37, 0, 2, 2, 2, 3, 3, 3, 0},
                new int[]{255, 0, 149, 36, 255, 1, 1, 1, 2, 2, 2, 255});
        assertEquals("wall", SemanticDataset.ADE20K_150.classNames().name(0));
    }

    @Test
    void ade20k847FromSixteenBitTiffKeepsClass255() throws IOException {
        checkPaired(SemanticDataset.ADE20K_847, Split.VAL,
                new int[]{0, 255, 846, 65535, 300, 0, 0, 0, 0, 0, 0, 1},
                new int[]{0, 255, 846, 65535, 300, 0, 0, 0, 0, 0, 0, 1});
        assertEquals(65535, SemanticDataset.ADE20K_847.ignoreLabel());
        assertEquals("pier", SemanticDataset.ADE20K_847.classNames().name(255));
    }

    @Test
    void pascalContext59And459() throws IOException {
        checkPaired(SemanticDataset.PASCAL_CONTEXT_59, Split.VAL,
                new int[]{0, 58, 255, 1, 1, 1, 1, 1, 1, 1, 1, 1},
                new int[]{0, 58, 255, 1, 1, 1, 1, 1, 1, 1, 1, 1});
        checkPaired(SemanticDataset.PASCAL_CONTEXT_459, Split.VAL,
                new int[]{0, 458, 65535, 255, 1, 1, 1, 1, 1, 1, 1, 1},
                new int[]{0, 458, 65535, 255, 1, 1, 1, 1, 1, 1, 1, 1});
        assertEquals("monkey", SemanticDataset.PASCAL_CONTEXT_459.classNames().name(255));
        GkcException e = assertThrows(GkcException.class, () -> SemanticDataset.PASCAL_CONTEXT_59.inputSplit(root, Split.TRAIN));
        assertEquals("this dataset has no train split in its detectron2 layout", e.getMessage());
    }

    @Test
    void pascalVoc20FromPalettePngsListedInTheSplitFile() throws IOException {
        Path voc = root.resolve("VOCdevkit/VOC2012");
        Files.createDirectories(voc.resolve("ImageSets/Segmentation"));
        Files.writeString(voc.resolve("ImageSets/Segmentation/val.txt"), "2007_000033\n2007_000042\n");
        Files.writeString(voc.resolve("ImageSets/Segmentation/train.txt"), "2007_000032\n");
        int[] raw = {0, 1, 20, 255, 15, 15, 255, 0, 0, 0, 0, 0};
        int[] want = {255, 0, 19, 255, 14, 14, 255, 255, 255, 255, 255, 255};
        for (String id : List.of("2007_000032", "2007_000033", "2007_000042", "2007_000099")) {
            new LabelMap(W, H, raw).writePalettePng(voc.resolve("SegmentationClass/" + id + ".png"), vocPalette());
            writeJpeg(voc.resolve("JPEGImages/" + id + ".jpg"), W, H);
        }
        List<SemanticSample> val = all(SemanticDataset.PASCAL_VOC_20.samples(root, Split.VAL, LoadOptions.failOnDamage(), LoadReport.quiet()));
        assertEquals(List.of("2007_000033", "2007_000042"), val.stream().map(SemanticSample::id).toList());
        assertArrayEquals(want, val.get(0).labels());
        List<SemanticSample> train = all(SemanticDataset.PASCAL_VOC_20.samples(root, Split.TRAIN, LoadOptions.failOnDamage(), LoadReport.quiet()));
        assertEquals(List.of("2007_000032"), train.stream().map(SemanticSample::id).toList());
        assertEquals("tvmonitor", SemanticDataset.PASCAL_VOC_20.classNames().name(19));
    }

    @Test
    void cityscapesTrainIdsAcrossCitiesWithExactPngImages() throws IOException {
        Path cs = root.resolve("cityscapes");
        int[] raw = {0, 18, 255, 7, 7, 7, 7, 7, 7, 7, 7, 13};
        RgbImage img = pattern(W, H);
        for (String city : List.of("lindau", "frankfurt")) {
            String id = city + "_000000_000019";
            new LabelMap(W, H, raw).writePng8(cs.resolve("gtFine/val/" + city + "/" + id + "_gtFine_labelTrainIds.png"));
            // The other gtFine files sit beside the train-id maps and must not be read.
            new LabelMap(W, H, new int[12]).writePng8(cs.resolve("gtFine/val/" + city + "/" + id + "_gtFine_labelIds.png"));
            img.write(cs.resolve("leftImg8bit/val/" + city + "/" + id + "_leftImg8bit.png"));
        }
        List<SemanticSample> got = all(SemanticDataset.CITYSCAPES_19.samples(root, Split.VAL, LoadOptions.failOnDamage(), LoadReport.quiet()));
        assertEquals(List.of("frankfurt_000000_000019", "lindau_000000_000019"), got.stream().map(SemanticSample::id).toList());
        assertArrayEquals(raw, got.get(0).labels());
        assertArrayEquals(img.data(), got.get(1).image().data());
        assertEquals("bicycle", SemanticDataset.CITYSCAPES_19.classNames().name(18));
    }

    @Test
    void recordsCarryTheSampleAndTheReaderNamesTheClasses() throws Exception {
        pairedFixture(SemanticDataset.ADE20K_150, Split.VAL, "a", new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 150});
        RecordReader r = SemanticDataset.ADE20K_150.recordReader(root, Split.VAL, LoadOptions.failOnDamage(), LoadReport.quiet());
        assertEquals(150, r.getLabels().size());
        List<Writable> rec = r.next();
        assertEquals(SampleRecords.FIELDS, rec.size());
        assertEquals("a", rec.get(SampleRecords.ID).toString());
        var s = SampleRecords.decode(rec);
        // 11 classes present (0..9 and 149), one segment each, in class order; the ADE 0 pixel is void.
        assertEquals(11, s.segments().size());
        assertEquals(149, s.segments().get(10).classIndex());
        assertEquals(org.gkc4j.pipeline.SegmentationSample.VOID, s.segmentMap()[0]);
        assertEquals(false, r.hasNext());
    }

    @Test
    void damagedSamplesAreSkippedWithCountedOneLineWarnings() throws IOException {
        SemanticDataset ds = SemanticDataset.ADE20K_150;
        int[] ok = new int[12];
        Arrays.fill(ok, 3);
        pairedFixture(ds, Split.VAL, "a_ok", ok);
        pairedFixture(ds, Split.VAL, "b_value", new int[]{0, 0, 0, 0, 0, 151, 0, 0, 0, 0, 0, 0});
        pairedFixture(ds, Split.VAL, "c_noimage", ok);
        Files.delete(root.resolve("ADEChallengeData2016/images/validation/c_noimage.jpg"));
        pairedFixture(ds, Split.VAL, "d_cut", ok);
        Path cut = root.resolve("ADEChallengeData2016/annotations/validation/d_cut.png");
        byte[] bytes = Files.readAllBytes(cut);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        pairedFixture(ds, Split.VAL, "e_size", ok);
        writeJpeg(root.resolve("ADEChallengeData2016/images/validation/e_size.jpg"), W + 1, H);

        LoadReport report = LoadReport.quiet();
        List<SemanticSample> got = all(ds.samples(root, Split.VAL, LoadOptions.skipDamaged(), report));
        assertEquals(List.of("a_ok"), got.stream().map(SemanticSample::id).toList());
        LoadReport.Summary s = report.summary();
        assertEquals(1, s.samplesLoaded());
        assertEquals(4, s.samplesSkipped());
        String all = String.join("\n", s.messages());
        assertTrue(all.contains("b_value.png holds 151 at (1, 1), which is neither a class (1..150) nor an ignore value [0]"), all);
        assertTrue(all.contains("image not found: " + root.resolve("ADEChallengeData2016/images/validation/c_noimage.jpg")), all);
        assertTrue(all.contains("cannot decode image " + cut), all);
        assertTrue(all.contains("e_size.jpg is 5x3 but its label map"), all);
        s.messages().forEach(m -> assertEquals(1, m.lines().count(), m));

        Iterator<SemanticSample> strict = ds.samples(root, Split.VAL, LoadOptions.failOnDamage(), LoadReport.quiet());
        strict.next();
        GkcException e = assertThrows(GkcException.class, strict::hasNext);
        assertTrue(e.getMessage().contains("b_value.png holds 151"), e.getMessage());
    }

    /** Skipping reports one line naming the file; failing on damage throws that same line. */
    private static String oneLineDamage(SemanticDataset ds, Path root, Split split, String expectedPrefix) {
        LoadReport report = LoadReport.quiet();
        List<SemanticSample> got = all(ds.samples(root, split, LoadOptions.skipDamaged(), report));
        LoadReport.Summary s = report.summary();
        assertEquals(List.of("ok"), got.stream().map(SemanticSample::id).map(i -> i.endsWith("ok") ? "ok" : i).toList(), ds.key());
        assertEquals(1, s.samplesSkipped(), ds.key());
        assertEquals(1, s.messages().size(), s.messages().toString());
        String m = s.messages().get(0);
        assertEquals(1, m.lines().count(), m);
        assertTrue(m.contains(expectedPrefix), m);
        GkcException e = assertThrows(GkcException.class, () -> all(ds.samples(root, split, LoadOptions.failOnDamage(), LoadReport.quiet())));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().contains(expectedPrefix), e.getMessage());
        return m;
    }

    private static void truncate(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
    }

    @Test
    void aDamagedSixteenBitTiffIsOneLineNamingIt() throws IOException {
        SemanticDataset ds = SemanticDataset.ADE20K_847;
        int[] raw = {0, 255, 846, 65535, 300, 0, 0, 0, 0, 0, 0, 1};
        pairedFixture(ds, Split.VAL, "a_ok", raw);
        pairedFixture(ds, Split.VAL, "b_cut", raw);
        SemanticLayout.PairedFolders l = (SemanticLayout.PairedFolders) ds.layout();
        Path tif = root.resolve(l.labelsVal()).resolve("b_cut.tif");
        truncate(tif);
        oneLineDamage(ds, root, Split.VAL, "cannot decode image " + tif);
    }

    @Test
    void aDamagedPalettePngIsOneLineNamingIt() throws IOException {
        Path voc = vocFixture(List.of("2007_ok", "2007_cut"));
        Path png = voc.resolve("SegmentationClass/2007_cut.png");
        truncate(png);
        oneLineDamage(SemanticDataset.PASCAL_VOC_20, root, Split.VAL, "cannot decode image " + png);
    }

    @Test
    void aListedButMissingVocIdIsOneLineNamingIt() throws IOException {
        Path voc = vocFixture(List.of("2007_ok", "2007_gone"));
        Files.delete(voc.resolve("SegmentationClass/2007_gone.png"));
        Files.delete(voc.resolve("JPEGImages/2007_gone.jpg"));
        oneLineDamage(SemanticDataset.PASCAL_VOC_20, root, Split.VAL, "not found: " + voc.resolve("SegmentationClass/2007_gone.png"));
    }

    @Test
    void aMissingCityscapesImageIsOneLineNamingIt() throws IOException {
        Path cs = root.resolve("cityscapes");
        for (String id : List.of("aachen_000000_ok", "bremen_000001_000019")) {
            String city = id.substring(0, id.indexOf('_'));
            new LabelMap(W, H, new int[]{0, 18, 255, 7, 7, 7, 7, 7, 7, 7, 7, 13}).writePng8(cs.resolve("gtFine/val/" + city + "/" + id + "_gtFine_labelTrainIds.png"));
            pattern(W, H).write(cs.resolve("leftImg8bit/val/" + city + "/" + id + "_leftImg8bit.png"));
        }
        Path image = cs.resolve("leftImg8bit/val/bremen/bremen_000001_000019_leftImg8bit.png");
        Files.delete(image);
        oneLineDamage(SemanticDataset.CITYSCAPES_19, root, Split.VAL, "image not found: " + image);
    }

    /** VOC's layout with the given ids listed in val.txt, each with its palette label PNG and JPEG image. */
    private Path vocFixture(List<String> ids) throws IOException {
        Path voc = root.resolve("VOCdevkit/VOC2012");
        Files.createDirectories(voc.resolve("ImageSets/Segmentation"));
        Files.writeString(voc.resolve("ImageSets/Segmentation/val.txt"), String.join("\n", ids) + "\n");
        for (String id : ids) {
            new LabelMap(W, H, new int[]{0, 1, 20, 255, 15, 15, 255, 0, 0, 0, 0, 0}).writePalettePng(voc.resolve("SegmentationClass/" + id + ".png"), vocPalette());
            writeJpeg(voc.resolve("JPEGImages/" + id + ".jpg"), W, H);
        }
        return voc;
    }

    @Test
    void missingFoldersAndUnknownNamesAreOneLineErrors() {
        GkcException e = assertThrows(GkcException.class, () -> SemanticDataset.CITYSCAPES_19.inputSplit(root, Split.VAL));
        assertTrue(e.getMessage().startsWith("label folder not found: " + root.resolve("cityscapes/gtFine/val")), e.getMessage());
        assertTrue(e.getMessage().contains("_gtFine_labelTrainIds.png"), e.getMessage());
        e = assertThrows(GkcException.class, () -> SemanticDataset.PASCAL_VOC_20.inputSplit(root, Split.VAL));
        assertTrue(e.getMessage().startsWith("split list not found"), e.getMessage());
        e = assertThrows(GkcException.class, () -> SemanticDataset.byKey("ade-150"));
        assertTrue(e.getMessage().contains("known: coco-stuff-171, coco-panoptic-133, ade20k-150"), e.getMessage());
        assertEquals(SemanticDataset.ADE20K_847, SemanticDataset.byKey("ade20k-847"));
    }

    @Test
    void everyClassListHasTheDatasetsSizeAndIgnoreLabelsNeverCollideWithClasses() {
        for (SemanticDataset d : SemanticDataset.values()) {
            assertEquals(d.numClasses(), d.classNames().size(), d.key());
            assertTrue(d.ignoreLabel() >= d.numClasses(), d.key());
            assertEquals(d.numClasses() < 255 ? 255 : 65535, d.ignoreLabel(), d.key());
        }
    }
}
