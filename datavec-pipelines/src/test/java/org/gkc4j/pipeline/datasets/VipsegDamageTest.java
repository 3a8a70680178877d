package org.gkc4j.pipeline.datasets;

import org.gkc4j.GkcException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged VIPSeg JSON: bad frames and videos are skipped and reported (or fail the load), bad categories are fatal. */
class VipsegDamageTest {
    @TempDir
    Path dir;

    private Path json(String text) throws IOException {
        Path p = dir.resolve("v.json");
        Files.writeString(p, text.replace('\'', '"'));
        return p;
    }

    private static final String VIDEOS = "'videos': [{'video_id': 'v1', 'images': [{'id': 'v1_1', 'file_name': '1.jpg', 'width': 4, 'height': 3},"
            + " {'id': 'v1_2', 'file_name': '2.jpg', 'width': 4, 'height': 3}]}]";

    private static String frame(String file, String imageId, String segments) {
        return "{'file_name': '" + file + "', 'image_id': '" + imageId + "', 'segments_info': [" + segments + "]}";
    }

    @Test
    void damagedFramesAndVideosAreSkippedWithAReason() throws IOException {
        // Annotations before videos: they are joined once the file has streamed by.
        Path p = json("{'annotations': [{'video_id': 'v1', 'annotations': ["
                + frame("1.png", "v1_1", "{'id': 5, 'category_id': 3, 'instance_id': 1}, {'id': 6, 'category_id': 78, 'instance_id': 2}") + ", "
                + frame("2.png", "v1_2", "{'id': 5, 'category_id': 124}") + ", "
                + frame("3.png", "v1_3", "{'id': 7, 'category_id': 1}") + ", "
                + frame("1.png", "v1_1", "") + "]}, "
                + "{'video_id': 'v2', 'annotations': []}, {'video_id': '../x', 'annotations': []}], " + VIDEOS + "}");
        LoadReport report = LoadReport.quiet();
        VipsegIndex index = VipsegIndex.read(p, LoadOptions.skipDamaged(), report);
        assertEquals(1, index.videos().size());
        VipsegIndex.Frame f = index.video("v1").frames().get(0);
        assertEquals(new VipsegIndex.Frame("v1_1", "1.jpg", "1.png", 4, 3, List.of(new VipsegIndex.SegmentInfo(5, 3, 1, false, -1),
                new VipsegIndex.SegmentInfo(6, 78, 2, false, -1))), f);
        assertEquals(1, index.video("v1").frames().size());
        List<String> m = report.summary().messages();
        assertEquals(5, report.summary().samplesSkipped(), m.toString());
        assertTrue(m.get(0).endsWith("video v1 frame 2.png has segment 5 of category 124, which VIPSeg does not define; skipped"), m.get(0));
        assertTrue(m.get(1).endsWith("video v1 frame 1.png is annotated twice (the first is kept); skipped"), m.get(1));
        assertTrue(m.get(2).endsWith("annotated video id '../x' is not a plain folder name; skipped"), m.get(2));
        assertTrue(m.get(3).endsWith("video v1 frame 3.png names image id v1_3, which its video's images list lacks; skipped"), m.get(3));
        assertTrue(m.get(4).endsWith("annotated video v2 has no entry in videos; skipped"), m.get(4));

        GkcException e = assertThrows(GkcException.class, () -> VipsegIndex.read(p, LoadOptions.failOnDamage(), LoadReport.quiet()));
        assertTrue(e.getMessage().endsWith("frame 2.png has segment 5 of category 124, which VIPSeg does not define"), e.getMessage());
    }

    @Test
    void categoriesThatDisagreeWithVipsegsAreFatal() throws IOException {
        Path p = json("{" + VIDEOS + ", 'annotations': [], 'categories': [{'id': 0, 'name': 'wall', 'isthing': 0}, {'id': 1, 'name': 'roof'}]}");
        GkcException e = assertThrows(GkcException.class, () -> VipsegIndex.read(p, LoadOptions.skipDamaged(), LoadReport.quiet()));
        assertEquals("VIPSeg JSON " + p + " defines category 1 'roof', which VIPSeg's 124 categories name 'ceiling'", e.getMessage());
        Path q = json("{'videos': 3}");
        assertTrue(assertThrows(GkcException.class, () -> VipsegIndex.read(q, LoadOptions.skipDamaged(), LoadReport.quiet()))
                .getMessage().endsWith("'videos' is not an array"));
    }
}
