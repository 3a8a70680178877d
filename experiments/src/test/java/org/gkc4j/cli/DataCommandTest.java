package org.gkc4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gkc data coco-panoptic-to-semantic}, checked pixel by pixel against the panoptic PNG and the JSON. */
class DataCommandTest {
    @TempDir
    Path dir;

    static int run(StringWriter err, String... args) {
        return GkcMain.execute(args, new PrintWriter(new StringWriter()), new PrintWriter(err, true));
    }

    @Test
    void everyOutputPixelIsTheClassOfItsPanopticSegmentOr255() throws IOException {
        Path sample = Shared.require("data/coco-panoptic-sample");
        Path out = dir.resolve("semseg");
        StringWriter err = new StringWriter();
        assertEquals(0, run(err, "data", "coco-panoptic-to-semantic", "--json", sample.resolve("panoptic_examples.json").toString(),
                "--panoptic-dir", sample.resolve("panoptic_examples").toString(), "--out", out.toString()), err.toString());
        assertTrue(err.toString().contains("wrote 2 label maps"), err.toString());

        // An independent reading: Jackson tree of the JSON, ImageIO colours of the PNG.
        JsonNode json = new ObjectMapper().readTree(sample.resolve("panoptic_examples.json").toFile());
        Map<Integer, Integer> indexOfCategory = new HashMap<>();
        for (int i = 0; i < json.get("categories").size(); i++) {
            indexOfCategory.put(json.get("categories").get(i).get("id").asInt(), i);
        }
        long crowdPixels = 0, labelled = 0;
        for (JsonNode ann : json.get("annotations")) {
            Map<Integer, Integer> classOfSegment = new HashMap<>();
            Map<Integer, Boolean> crowd = new HashMap<>();
            for (JsonNode s : ann.get("segments_info")) {
                classOfSegment.put(s.get("id").asInt(), indexOfCategory.get(s.get("category_id").asInt()));
                crowd.put(s.get("id").asInt(), s.get("iscrowd").asInt() == 1);
            }
            String name = ann.get("file_name").asText();
            BufferedImage pan = ImageIO.read(sample.resolve("panoptic_examples").resolve(name).toFile());
            BufferedImage sem = ImageIO.read(out.resolve(name).toFile());
            assertEquals(BufferedImage.TYPE_BYTE_GRAY, sem.getType(), "uint8 grayscale");
            assertEquals(pan.getWidth(), sem.getWidth());
            assertEquals(pan.getHeight(), sem.getHeight());
            for (int y = 0; y < pan.getHeight(); y++) {
                for (int x = 0; x < pan.getWidth(); x++) {
                    int rgb = pan.getRGB(x, y);
                    int id = (rgb >> 16 & 0xff) + 256 * (rgb >> 8 & 0xff) + 65536 * (rgb & 0xff);
                    int want = classOfSegment.getOrDefault(id, 255);
                    assertEquals(want, sem.getRaster().getSample(x, y, 0), name + " at " + x + "," + y);
                    if (want != 255) {
                        labelled++;
                        if (crowd.get(id)) {
                            crowdPixels++;
                        }
                    }
                }
            }
        }
        assertTrue(crowdPixels > 0, "the sample's crowd segments are labelled too");
        assertTrue(labelled > 100_000, "most pixels carry a class: " + labelled);
    }

    /** A one-category panoptic dataset: a.png fine, b.png truncated, plus an annotation whose file name leaves the folder. */
    private Path[] damagedFixture() throws IOException {
        Path json = dir.resolve("p.json"), png = dir.resolve("png");
        Files.createDirectories(png);
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 5 << 16);  // id 5
        img.setRGB(1, 1, 6 << 16);  // id 6, not in the JSON
        ImageIO.write(img, "png", png.resolve("a.png").toFile());
        ImageIO.write(img, "png", png.resolve("b.png").toFile());
        byte[] b = Files.readAllBytes(png.resolve("b.png"));
        Files.write(png.resolve("b.png"), Arrays.copyOf(b, b.length / 2));
        String seg = "[{\"id\":5,\"category_id\":3,\"iscrowd\":1,\"area\":1}]";
        Files.writeString(json, "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":2,\"height\":2},{\"id\":2,\"file_name\":\"b.jpg\",\"width\":2,\"height\":2}],"
                + "\"annotations\":[{\"image_id\":1,\"file_name\":\"a.png\",\"segments_info\":" + seg + "},"
                + "{\"image_id\":2,\"file_name\":\"b.png\",\"segments_info\":" + seg + "},"
                + "{\"image_id\":2,\"file_name\":\"../evil.png\",\"segments_info\":" + seg + "}],"
                + "\"categories\":[{\"id\":1,\"name\":\"one\"},{\"id\":3,\"name\":\"three\"}]}");
        return new Path[]{json, png};
    }

    @Test
    void damagedAnnotationsAreSkippedWithWarningsOrStopTheRunWhenStrict() throws IOException {
        Path[] f = damagedFixture();
        Path out = dir.resolve("out");
        StringWriter err = new StringWriter();
        assertEquals(0, run(err, "data", "coco-panoptic-to-semantic", "--json", f[0].toString(), "--panoptic-dir", f[1].toString(), "--out", out.toString()));
        String e = err.toString();
        assertTrue(e.contains("gkc: warning: ") && e.contains("../evil.png has a file_name that is not a plain file name"), e);
        assertTrue(e.contains("cannot decode image " + f[1].resolve("b.png")), e);
        assertTrue(e.contains("segment ids the JSON does not list: 6 (1 px)"), e);
        assertTrue(e.contains("wrote 1 label maps to " + out + " (2 annotations skipped as damaged, 1 unknown segment ids set to 255)"), e);
        assertEquals(List.of("a.png"), Files.list(out).map(p -> p.getFileName().toString()).toList());
        assertFalse(Files.exists(dir.resolve("evil.png")));
        BufferedImage a = ImageIO.read(out.resolve("a.png").toFile());
        int[] v = a.getRaster().getSamples(0, 0, 2, 2, 0, new int[4]);
        assertEquals(List.of(1, 255, 255, 255), Arrays.stream(v).boxed().toList());  // category 3 is index 1; crowd included

        StringWriter strict = new StringWriter();
        assertEquals(1, run(strict, "data", "coco-panoptic-to-semantic", "--strict", "--json", f[0].toString(), "--panoptic-dir", f[1].toString(),
                "--out", dir.resolve("out2").toString()));
        assertEquals(1, strict.toString().strip().lines().count(), strict.toString());
        assertTrue(strict.toString().startsWith("gkc: panoptic JSON " + f[0] + ": annotation ../evil.png"), strict.toString());
    }

    @Test
    void missingInputsAreOneLineErrors() {
        StringWriter err = new StringWriter();
        assertEquals(1, run(err, "data", "coco-panoptic-to-semantic", "--json", dir.resolve("none.json").toString(), "--panoptic-dir", dir.toString(),
                "--out", dir.resolve("o").toString()));
        assertEquals("gkc: panoptic JSON not found: " + dir.resolve("none.json"), err.toString().strip());
        StringWriter err2 = new StringWriter();
        assertEquals(1, run(err2, "data", "coco-panoptic-to-semantic", "--json", "x.json", "--panoptic-dir", dir.resolve("nodir").toString(),
                "--out", dir.resolve("o").toString()));
        assertEquals("gkc: panoptic PNG folder not found: " + dir.resolve("nodir"), err2.toString().strip());
    }

    @Test
    void vipsegToSemanticWritesEachSplitsLabelMapsAndResumes() throws IOException {
        Path sample = Shared.require("data/vipseg-sample");
        Path out = dir.resolve("vipseg-base");
        String[] args = {"data", "vipseg-to-semantic", "--json", sample.resolve("panoptic_gt_VIPSeg_val.json").toString(),
                "--panoptic-dir", sample.resolve("panomasksRGB").toString(), "--split", "base", "--out", out.toString()};
        StringWriter err = new StringWriter();
        assertEquals(0, run(err, args), err.toString());
        String last = err.toString().strip().lines().reduce((a, b) -> b).orElse("");
        assertEquals("gkc: wrote 12 label maps to " + out + ", 0 already there (3 videos, split base: 112 classes; 0 frames skipped as damaged, "
                + "12 unlisted segment ids set to 255)", last);
        for (String f : List.of("127_-hIVCYO4C90/00000001.png", "2285_ZjSA2hd_eBQ/00000005.png")) {
            BufferedImage want = ImageIO.read(sample.resolve("expected/base").resolve(f).toFile()), got = ImageIO.read(out.resolve(f).toFile());
            assertEquals(BufferedImage.TYPE_BYTE_GRAY, got.getType(), "uint8 grayscale");
            int[] w = want.getRaster().getPixels(0, 0, want.getWidth(), want.getHeight(), (int[]) null);
            int[] g = got.getRaster().getPixels(0, 0, got.getWidth(), got.getHeight(), (int[]) null);
            assertTrue(Arrays.equals(w, g), f);
        }
        err = new StringWriter();
        assertEquals(0, run(err, args), err.toString());
        assertTrue(err.toString().contains("wrote 0 label maps to " + out + ", 12 already there"), err.toString());

        err = new StringWriter();
        args[args.length - 3] = "seen";
        assertEquals(1, run(err, args));
        assertEquals("gkc: unknown VIPSeg split 'seen'; expected one of [all, base, novel]", err.toString().strip());
    }
}
