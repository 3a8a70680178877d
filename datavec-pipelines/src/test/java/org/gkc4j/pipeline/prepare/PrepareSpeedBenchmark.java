package org.gkc4j.pipeline.prepare;

import org.gkc4j.io.LabelMap;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Images per second of each preparation on generated releases of realistic image sizes (COCO 640x480, Cityscapes
 * 2048x1024, PASCAL-Context 500x375 compressed MAT files, ADE20K 512x512), label maps of blocky regions so they
 * compress as real ones do. Not a timed test: run with {@code -Dgkc.bench.prepare=true}.
 */
@EnabledIfSystemProperty(named = "gkc.bench.prepare", matches = "true")
class PrepareSpeedBenchmark {
    @TempDir
    Path root;

    static final int N = Integer.getInteger("gkc.bench.images", 300);

    /** Rectangles of values drawn from {@code palette} over a background value. */
    static int[] blocks(Random rnd, int w, int h, int[] palette) {
        int[] v = new int[w * h];
        java.util.Arrays.fill(v, palette[0]);
        for (int k = 0; k < 12; k++) {
            int x0 = rnd.nextInt(w), y0 = rnd.nextInt(h), x1 = Math.min(w, x0 + 20 + rnd.nextInt(w / 2)), y1 = Math.min(h, y0 + 20 + rnd.nextInt(h / 2));
            int c = palette[rnd.nextInt(palette.length)];
            for (int y = y0; y < y1; y++) {
                java.util.Arrays.fill(v, y * w + x0, y * w + x1, c);
            }
        }
        return v;
    }

    private void time(Preparation p, long expectUnits) {
        long t0 = System.nanoTime();
        PrepareResult r = Preparer.run(p, root, LoadOptions.failOnDamage(), LoadReport.quiet(), Preparer.Progress.NONE);
        double s = (System.nanoTime() - t0) / 1e9;
        assertEquals(expectUnits, r.units());
        System.out.printf(Locale.ROOT, "BENCH %-20s %5d images in %6.1f s: %6.1f images/s (%s)%n", p.key(), r.units(), s, r.units() / s, r.line());
    }

    @Test
    void imagesPerSecond() throws IOException {
        Random rnd = new Random(0);
        int[] stuff = {0, 2, 20, 91, 118, 148, 168, 181, 255};
        for (int i = 0; i < N; i++) {
            new LabelMap(640, 480, blocks(rnd, 640, 480, stuff)).writePng8(root.resolve(String.format("coco/stuffthingmaps/val2017/%012d.png", i)));
        }
        time(new CocoStuffPreparation(false), N);
        deleteTree(root.resolve(CocoStuffPreparation.OUT));
        time(new CocoStuffPreparation(true), N);

        int[] ids = {0, 7, 8, 11, 21, 23, 24, 26, 33, 1};
        int nc = Math.max(1, N / 3);
        for (int i = 0; i < nc; i++) {
            new LabelMap(2048, 1024, blocks(rnd, 2048, 1024, ids)).writePng8(
                    root.resolve(String.format("cityscapes/gtFine/val/city/city_%06d_000019_gtFine_labelIds.png", i)));
        }
        time(new CityscapesPreparation(), nc);

        Path voc = root.resolve("VOCdevkit/VOC2010");
        Files.createDirectories(voc.resolve("trainval"));
        Files.createDirectories(voc.resolve("ImageSets/Main"));
        int[] pc = {0, 2, 9, 44, 65, 100, 255, 400, 458, 459};
        List<String> idList = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            String id = String.format("2008_%06d", i);
            idList.add(id);
            MatWriter.writeUint16(voc.resolve("trainval/" + id + ".mat"), "LabelMap", 375, 500, blocks(rnd, 500, 375, pc));
        }
        Files.writeString(voc.resolve("ImageSets/Main/val.txt"), String.join("\n", idList) + "\n");
        time(new PascalContext59Preparation(), N);
        time(new PascalContext459Preparation(), N);

        int[] ade = {0, 1, 3, 5, 13, 150, 77};
        BufferedImage tiny = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < N; i++) {
            String id = String.format("ADE_val_%08d", i);
            new LabelMap(512, 512, blocks(rnd, 512, 512, ade)).writePng8(root.resolve("ADEChallengeData2016/annotations/validation/" + id + ".png"));
            Path img = root.resolve("ADEChallengeData2016/images/validation/" + id + ".jpg");
            Files.createDirectories(img.getParent());
            javax.imageio.ImageIO.write(tiny, "jpg", img.toFile());
        }
        time(Preparations.of("ade20k-150", false), N);

        // COCO panoptic: RGB-encoded segment ids (R + 256 G), 12 rectangles per image, 133 categories in the JSON.
        Path coco = root.resolve("coco");
        Files.createDirectories(coco.resolve("annotations"));
        StringBuilder images = new StringBuilder(), anns = new StringBuilder(), cats = new StringBuilder();
        for (int c = 1; c <= 133; c++) {
            cats.append(c > 1 ? "," : "").append("{\"id\":").append(c).append(",\"name\":\"c").append(c).append("\",\"isthing\":").append(c % 2).append('}');
        }
        int[] segIds = {1, 2, 3, 4, 5, 6, 7, 300, 301, 302};
        for (int i = 0; i < N; i++) {
            String name = String.format("%012d.png", i);
            int[] seg = blocks(rnd, 640, 480, segIds);
            BufferedImage rgb = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < seg.length; p++) {
                rgb.setRGB(p % 640, p / 640, (seg[p] & 0xff) << 16 | (seg[p] >> 8 & 0xff) << 8);
            }
            Path png = coco.resolve("panoptic_val2017/" + name);
            Files.createDirectories(png.getParent());
            javax.imageio.ImageIO.write(rgb, "png", png.toFile());
            images.append(i > 0 ? "," : "").append(String.format("{\"id\":%d,\"file_name\":\"%012d.jpg\",\"width\":640,\"height\":480}", i, i));
            StringBuilder segs = new StringBuilder();
            for (int k = 0; k < segIds.length; k++) {
                segs.append(k > 0 ? "," : "").append(String.format("{\"id\":%d,\"category_id\":%d,\"iscrowd\":0,\"area\":1}", segIds[k], 1 + (segIds[k] * 7) % 133));
            }
            anns.append(i > 0 ? "," : "").append(String.format("{\"image_id\":%d,\"file_name\":\"%s\",\"segments_info\":[%s]}", i, name, segs));
        }
        Files.writeString(coco.resolve("annotations/panoptic_val2017.json"),
                "{\"images\":[" + images + "],\"annotations\":[" + anns + "],\"categories\":[" + cats + "]}");
        time(new CocoPanopticPreparation(), N);

        // ADE20K-847: 800x600 images with RGB seg PNGs (scaled to 683x512), listed by a protocol-2 pickled index.
        int[] adeIds = {2978, 312, 2420, 3148, 0};
        List<String> folders = new ArrayList<>(), files = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            String folder = "ADE20K_2021_17_01/images/ADE/validation/x", stem = String.format("ADE_val_%08d", i);
            int[] seg = blocks(rnd, 800, 600, adeIds);
            for (int p = 0; p < seg.length; p++) {
                seg[p] = (seg[p] / 256 * 10) << 16 | (seg[p] % 256) << 8;
            }
            BufferedImage segImg = new BufferedImage(800, 600, BufferedImage.TYPE_INT_RGB), photo = new BufferedImage(800, 600, BufferedImage.TYPE_INT_RGB);
            segImg.setRGB(0, 0, 800, 600, seg, 0, 800);
            Path dir = root.resolve(folder);
            Files.createDirectories(dir);
            javax.imageio.ImageIO.write(segImg, "png", dir.resolve(stem + "_seg.png").toFile());
            javax.imageio.ImageIO.write(photo, "jpg", dir.resolve(stem + ".jpg").toFile());
            folders.add(folder);
            files.add(stem + ".jpg");
        }
        Files.write(root.resolve(Ade20k847Preparation.INDEX), pickledIndex(folders, files));
        time(new Ade20k847Preparation(), N);
    }

    /** A protocol-2 pickle of {"folder": [...], "filename": [...]}. */
    static byte[] pickledIndex(List<String> folders, List<String> files) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0x80);
        out.write(2);
        out.write('}');
        out.write('(');
        for (var e : java.util.Map.of("folder", folders, "filename", files).entrySet()) {
            unicode(out, e.getKey());
            out.write(']');
            out.write('(');
            e.getValue().forEach(v -> unicode(out, v));
            out.write('e');
        }
        out.write('u');
        out.write('.');
        return out.toByteArray();
    }

    private static void unicode(java.io.ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.write('X');
        out.write(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(b.length).array(), 0, 4);
        out.write(b, 0, b.length);
    }

    static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
