package org.gkc4j.pipeline.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.gkc4j.io.ImageFiles;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The VIPSeg reader on the shared VIPSeg-layout sample, checked against the JSON read independently. */
class VipsegSampleTest {
    /** GKC's unseen VIPSeg ids, as the paper's code lists them. */
    static final Set<Integer> UNSEEN = Set.of(78, 94, 112, 76, 102, 32, 122, 116, 80, 57, 34, 11);
    private static Path dir, json;
    private static JsonNode tree;

    @BeforeAll
    static void open() throws IOException {
        dir = Shared.require("data/vipseg-sample");
        json = dir.resolve("panoptic_gt_VIPSeg_val.json");
        tree = new ObjectMapper().readTree(json.toFile());
    }

    private static VipsegDataset dataset(VipsegVariant variant, LoadReport report) {
        return VipsegDataset.open(json, dir.resolve("panomasksRGB"), null, variant, LoadOptions.skipDamaged(), report);
    }

    @Test
    void shippedCategoriesAreVipsegsInOrderWithGkcsSplit() throws IOException {
        VipsegCategories c = VipsegCategories.shipped();
        assertEquals(124, c.all().size());
        assertEquals(new TreeSet<>(UNSEEN), c.unseenIds());
        assertEquals(112, c.vocabulary(VipsegSplit.BASE).size());
        assertEquals(12, c.vocabulary(VipsegSplit.NOVEL).size());
        List<String> lines = Files.readAllLines(Shared.require("data/classnames/vipseg-124.tsv"));
        for (int i = 0; i < 124; i++) {
            String[] cols = lines.get(i + 1).split("\t");
            VipsegCategories.Category cat = c.all().get(i);
            assertEquals(Integer.parseInt(cols[0]), cat.id());
            assertEquals(cols[1], cat.name());
            assertEquals(cols[2].equals("1"), cat.thing());
        }
        JsonNode cats = tree.get("categories");
        for (int i = 0; i < cats.size(); i++) {
            assertEquals(cats.get(i).get("name").asText(), c.byId(cats.get(i).get("id").asInt()).name());
        }
        assertEquals(124, ClassNames.load(VipsegCategories.KEY).size());
        // Novel class indices in the 124-class list are the unseen ids, since VIPSeg's ids are 0..123 in order.
        assertEquals("tyre", c.vocabulary(VipsegSplit.NOVEL).names().get(3));
        assertEquals(VipsegVocabulary.OUTSIDE, c.vocabulary(VipsegSplit.BASE).classIndex(78));
    }

    @Test
    void everyFrameAndSegmentMatchesTheJsonWithCategoriesAndInstanceIds() {
        LoadReport report = LoadReport.quiet();
        VipsegDataset ds = dataset(VipsegVariant.ALL, report);
        assertEquals(124, ds.classNames().size());
        JsonNode anns = tree.get("annotations");
        Map<Integer, String> names = new HashMap<>();
        tree.get("categories").forEach(c -> names.put(c.get("id").asInt(), c.get("name").asText()));
        List<VipsegIndex.Video> videos = ds.videos();
        assertEquals(List.of("127_-hIVCYO4C90", "1001_5nZmZi-Xv6w", "2285_ZjSA2hd_eBQ"), videos.stream().map(VipsegIndex.Video::id).toList());
        int segments = 0, frames = 0;
        for (int v = 0; v < anns.size(); v++) {
            JsonNode va = anns.get(v);
            VipsegIndex.Video video = videos.get(v);
            assertEquals(va.get("video_id").asText(), video.id());
            assertEquals(va.get("annotations").size(), video.frames().size());
            for (int f = 0; f < video.frames().size(); f++) {
                JsonNode fa = va.get("annotations").get(f), info = fa.get("segments_info");
                VipsegIndex.Frame frame = video.frames().get(f);
                assertEquals(fa.get("file_name").asText(), frame.panopticFile());
                assertEquals(fa.get("image_id").asText(), frame.imageId());
                VipsegFrameSample fs = ds.frame(video.id(), frame.panopticFile(), LoadOptions.skipDamaged(), report);
                SegmentationSample s = fs.sample();
                assertEquals(video.id() + "/" + frame.stem(), s.id());
                assertEquals(info.size(), s.segments().size());
                long[] areas = s.areas();
                for (int i = 0; i < info.size(); i++) {
                    JsonNode j = info.get(i);
                    Segment seg = s.segments().get(i);
                    VipsegIndex.SegmentInfo si = fs.frame().segments().get(i);
                    assertEquals(j.get("id").asLong(), seg.id());
                    assertEquals(j.get("category_id").asInt(), si.categoryId());
                    assertEquals(j.get("instance_id").asInt(), si.instanceId());
                    assertEquals(names.get(j.get("category_id").asInt()), ds.classNames().get(seg.classIndex()));
                    assertEquals(j.get("area").asLong(), areas[i], s.id() + " segment " + seg.id());
                    segments++;
                }
                frames++;
            }
        }
        assertEquals(12, frames);
        assertTrue(segments > 12 * 5, "segments " + segments);
        // The sample holds one unlisted segment id in every frame: void, counted.
        LoadReport.Summary sum = report.summary();
        assertEquals(12, sum.segmentsDropped(), sum.toString());
        assertEquals(0, sum.samplesSkipped());
    }

    @Test
    void baseIgnoreRemovesUnseenSegmentsAndKeepsEveryVideo() {
        VipsegDataset all = dataset(VipsegVariant.ALL, LoadReport.quiet()), ignore = dataset(VipsegVariant.BASE_IGNORE, LoadReport.quiet());
        assertEquals(112, ignore.classNames().size());
        assertEquals(3, ignore.videos().size());
        int removed = 0;
        for (int v = 0; v < 3; v++) {
            VipsegIndex.Video a = all.videos().get(v), b = ignore.videos().get(v);
            assertEquals(a.frames().size(), b.frames().size());
            for (int f = 0; f < a.frames().size(); f++) {
                VipsegIndex.Frame fa = a.frames().get(f), fb = b.frames().get(f);
                List<VipsegIndex.SegmentInfo> seen = fa.segments().stream().filter(s -> !UNSEEN.contains(s.categoryId())).toList();
                assertEquals(seen, fb.segments());
                removed += fa.segments().size() - seen.size();
                SegmentationSample sa = all.frame(a.id(), fa.panopticFile(), LoadOptions.skipDamaged(), LoadReport.quiet()).sample();
                SegmentationSample sb = ignore.frame(b.id(), fb.panopticFile(), LoadOptions.skipDamaged(), LoadReport.quiet()).sample();
                for (int p = 0; p < sa.segmentMap().length; p++) {
                    int ia = sa.segmentMap()[p], ib = sb.segmentMap()[p];
                    if (ia == SegmentationSample.VOID || UNSEEN.contains(fa.segments().get(ia).categoryId())) {
                        assertEquals(SegmentationSample.VOID, ib);
                    } else {
                        assertEquals(sa.segments().get(ia).id(), sb.segments().get(ib).id());
                        assertEquals(all.classNames().get(sa.segments().get(ia).classIndex()), ignore.classNames().get(sb.segments().get(ib).classIndex()));
                    }
                }
            }
        }
        assertTrue(removed >= 6, "unseen segments removed: " + removed);
    }

    @Test
    void baseDeleteLeavesOutEveryVideoWithAnUnseenSegment(@TempDir Path tmp) throws IOException {
        // Every sample video holds unseen segments.
        assertEquals(0, dataset(VipsegVariant.BASE_DELETE, LoadReport.quiet()).videos().size());
        // Relabel video 1001's unseen segments (102 fan, 116 printer) as seen ones: only it stays.
        ObjectNode edited = tree.deepCopy();
        for (JsonNode va : edited.get("annotations")) {
            if (va.get("video_id").asText().equals("1001_5nZmZi-Xv6w")) {
                for (JsonNode fa : va.get("annotations")) {
                    for (JsonNode s : fa.get("segments_info")) {
                        if (UNSEEN.contains(s.get("category_id").asInt())) {
                            ((ObjectNode) s).put("category_id", 0);
                        }
                    }
                }
            }
        }
        Path edit = tmp.resolve("edited.json");
        new ObjectMapper().writeValue(edit.toFile(), edited);
        VipsegDataset ds = VipsegDataset.open(edit, dir.resolve("panomasksRGB"), null, VipsegVariant.BASE_DELETE, LoadOptions.skipDamaged(), LoadReport.quiet());
        assertEquals(List.of("1001_5nZmZi-Xv6w"), ds.videos().stream().map(VipsegIndex.Video::id).toList());
        assertEquals(3, ds.videos().get(0).frames().size());
        assertTrue(ds.leftOut("127_-hIVCYO4C90"));
        assertNull(ds.video("127_-hIVCYO4C90"));
        assertThrows(org.gkc4j.GkcException.class, () -> ds.frame("127_-hIVCYO4C90", "00000001.png", LoadOptions.skipDamaged(), LoadReport.quiet()));
    }

    @Test
    void theRecordReaderReadsFramesWithTheirImagesInVipsegsLayout(@TempDir Path root) throws Exception {
        Path layout = root.resolve("VIPSeg_720P");
        Files.createDirectories(layout);
        Files.copy(json, layout.resolve("panoptic_gt_VIPSeg_val.json"));
        for (JsonNode v : tree.get("videos")) {
            String id = v.get("video_id").asText();
            Files.createDirectories(layout.resolve("panomasksRGB").resolve(id));
            for (JsonNode img : v.get("images")) {
                String stem = img.get("file_name").asText().replace(".jpg", "");
                Files.copy(dir.resolve("panomasksRGB").resolve(id).resolve(stem + ".png"), layout.resolve("panomasksRGB").resolve(id).resolve(stem + ".png"));
                BufferedImage b = new BufferedImage(img.get("width").asInt(), img.get("height").asInt(), BufferedImage.TYPE_3BYTE_BGR);
                java.awt.Graphics2D g = b.createGraphics();
                g.setColor(java.awt.Color.GREEN);
                g.fillRect(0, 0, b.getWidth(), b.getHeight());
                g.dispose();
                ImageFiles.write(layout.resolve("images").resolve(id).resolve(img.get("file_name").asText()), b, "jpg");
            }
        }
        LoadReport report = LoadReport.quiet();
        VipsegDataset ds = VipsegDataset.vipseg720p(layout, "val", VipsegVariant.BASE_IGNORE, LoadOptions.failOnDamage().withMaxImagePixels(1 << 20), report);
        VipsegRecordReader r = new VipsegRecordReader(ds, LoadOptions.skipDamaged(), report);
        r.initialize(ds.inputSplit());
        List<String> ids = new ArrayList<>();
        while (r.hasNext()) {
            SegmentationSample s = SampleRecords.decode(r.next());
            ids.add(s.id());
            assertTrue(s.image().get(1, 1, 1) > 200, "green pixel of " + s.id());
            s.segments().forEach(seg -> assertTrue(seg.classIndex() >= 0 && seg.classIndex() < 112));
        }
        assertEquals(12, ids.size());
        assertEquals("127_-hIVCYO4C90/00000001", ids.get(0));
        assertEquals(112, r.getLabels().size());
        assertFalse(r.hasNext());
    }
}
