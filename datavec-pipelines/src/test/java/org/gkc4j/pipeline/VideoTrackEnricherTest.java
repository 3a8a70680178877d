package org.gkc4j.pipeline;

import org.gkc4j.GkcException;
import org.gkc4j.data.ImageTargets;
import org.gkc4j.pipeline.teacher.TeacherFeatureStore;
import org.gkc4j.pipeline.text.SynonymSampler;
import org.gkc4j.pipeline.text.SynonymScores;
import org.gkc4j.pipeline.text.TextDiversification;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-track synonym scores and teacher features of a clip, hand-computed. The clip: three 2x2 frames; track 7 (class
 * 0) shows in frames 0 and 2; in frame 1 it is listed but covered (no pixel); track 9 (class 1) shows in frame 1 only.
 */
class VideoTrackEnricherTest {
    /** A 2x2 frame: {@code pixels[p]} is the id of the track covering pixel p (0: void); {@code listed}: id, class pairs. */
    private static SegmentationSample frame(String id, long[] pixels, long[]... listed) {
        List<Segment> segs = new ArrayList<>();
        for (long[] l : listed) {
            segs.add(new Segment(l[0], (int) l[1], false));
        }
        int[] map = new int[4];
        for (int p = 0; p < 4; p++) {
            map[p] = SegmentationSample.VOID;
            for (int s = 0; s < segs.size(); s++) {
                if (segs.get(s).id() == pixels[p]) {
                    map[p] = s;
                }
            }
        }
        return new SegmentationSample(id, RgbImage.blank(2, 2), map, segs, List.of());
    }

    private static List<SegmentationSample> clip() {
        return List.of(frame("v/0", new long[]{7, 7, 0, 0}, new long[]{7, 0}),
                frame("v/1", new long[]{9, 0, 0, 0}, new long[]{7, 0}, new long[]{9, 1}),
                frame("v/2", new long[]{0, 7, 0, 0}, new long[]{7, 0}));
    }

    private static SynonymScores scores() {
        SynonymScores s = SynonymScores.empty();
        s.put("v/0", 7, Map.of("disc", 0.8, "round", 0.2));
        s.put("v/1", 7, Map.of("disc", 0.0, "round", 1.0));   // covered in this frame: must count for nothing
        s.put("v/2", 7, Map.of("disc", 0.4, "round", 0.6));
        return s;
    }

    private static TeacherFeatureStore teacher() {
        TeacherFeatureStore t = TeacherFeatureStore.empty();
        t.put("v/0", new long[]{7}, Nd4j.createFromArray(new float[][]{{3, 4}}));
        t.put("v/1", new long[]{7, 9}, Nd4j.createFromArray(new float[][]{{1, 0}, {0, 5}}));
        t.put("v/2", new long[]{7}, Nd4j.createFromArray(new float[][]{{0, 2}}));
        return t;
    }

    @Test
    void aTrackIsVisibleWhereItHasPixels() {
        assertEquals(List.of("v/0", "v/2"), TrackEnricher.visible(clip(), 7).stream().map(SegmentationSample::id).toList());
        assertEquals(List.of("v/1"), TrackEnricher.visible(clip(), 9).stream().map(SegmentationSample::id).toList());
        assertTrue(TrackEnricher.visible(clip(), 4).isEmpty());
    }

    /** disc: (0.8 + 0.4) / 2 = 0.6, round: (0.2 + 0.6) / 2 = 0.4; the covered frame's 0.0 / 1.0 are left out. */
    @Test
    void synonymScoresAreTheMeanOverVisibleFrames() {
        Map<String, Double> m = TrackEnricher.meanScores(scores(), clip(), 7);
        assertEquals(0.6, m.get("disc"), 1e-12);
        assertEquals(0.4, m.get("round"), 1e-12);
        assertTrue(TrackEnricher.meanScores(scores(), clip(), 9).isEmpty(), "no frame scores track 9");
    }

    /**
     * Unit rows (0.6, 0.8) and (0, 1), summed (0.6, 1.8), normalised: (0.6, 1.8) / sqrt(3.6) = (0.316228, 0.948683).
     * The covered frame's (1, 0) would give (0.664, 0.747); raw rows without per-frame normalisation (0.447, 0.894).
     */
    @Test
    void teacherFeatureIsTheNormalisedMeanOfUnitRowsOverVisibleFrames() {
        INDArray f = TrackEnricher.meanTeacher(teacher(), clip(), 7);
        assertArrayEquals(new double[]{0.6 / Math.sqrt(3.6), 1.8 / Math.sqrt(3.6)}, f.toDoubleVector(), 1e-9);
        assertArrayEquals(new double[]{0, 1}, TrackEnricher.meanTeacher(teacher(), clip(), 9).toDoubleVector(), 1e-9);
        assertArrayEquals(new double[]{0, 0}, TrackEnricher.meanTeacher(teacher(), clip(), 4).toDoubleVector(), 0, "no frame shows it: no teacher");
        TeacherFeatureStore stale = TeacherFeatureStore.empty();
        stale.put("v/0", new long[]{7}, Nd4j.createFromArray(new float[][]{{3, 4}}));
        stale.put("v/2", new long[]{8}, Nd4j.createFromArray(new float[][]{{3, 4}}));
        GkcException e = assertThrows(GkcException.class, () -> TrackEnricher.meanTeacher(stale, clip(), 7));
        assertTrue(e.getMessage().contains("v/2"), e.getMessage());
    }

    /**
     * One draw per track for the whole clip: with a threshold of 0.5, track 7's mean plausibility (disc 0.6, round 0.4)
     * leaves only "disc", whatever the random stream (frame 2 alone would leave only "round"); the teacher rows follow
     * the target order (track 9 first).
     */
    @Test
    void enrichDrawsOneNamePerTrackAndAttachesTrackTeachers() {
        TextDiversification div = new TextDiversification(List.of("ball", "box"), Map.of("ball", List.of("disc", "round")), scores(),
                new SynonymSampler(SynonymSampler.Mode.THRESHOLD, 0.5, 0));
        TrackEnricher enricher = new TrackEnricher(div, scores(), teacher());
        ImageTargets plain = ImageTargets.plain(Nd4j.zeros(DataType.FLOAT, 2, 6, 2), new int[]{1, 0});
        for (long seed = 0; seed < 20; seed++) {
            ImageTargets t = enricher.enrich(clip(), new long[]{9, 7}, plain, new SplittableRandom(seed));
            assertEquals(List.of("disc", "box"), t.vocabulary());
            assertArrayEquals(new int[]{1, 0}, t.vocabularyTargets());
            assertArrayEquals(new long[]{2, 2}, t.teacherFeatures().shape());
            assertArrayEquals(new double[]{0, 1}, t.teacherFeatures().getRow(0).toDoubleVector(), 1e-6);
            assertArrayEquals(new double[]{0.6 / Math.sqrt(3.6), 1.8 / Math.sqrt(3.6)}, t.teacherFeatures().getRow(1).toDoubleVector(), 1e-6);
        }
        ImageTargets onlyTeacher = new TrackEnricher(null, null, teacher()).enrich(clip(), new long[]{9, 7}, plain, new SplittableRandom(0));
        assertEquals(null, onlyTeacher.vocabulary());
        assertThrows(IllegalArgumentException.class, () -> enricher.enrich(clip(), new long[]{7}, plain, new SplittableRandom(0)));
    }
}
