package org.gkc4j.eval;

import org.gkc4j.GkcException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VSPW's video consistency on hand-computed videos, its skip rules, and against the definition computed directly. */
class VideoConsistencyTest {
    private static void video(VideoConsistency vc, int[][] gt, int[][] pred) {
        vc.beginVideo();
        for (int f = 0; f < gt.length; f++) {
            vc.addFrame(gt[f], pred[f]);
        }
    }

    /**
     * Three frames of four pixels, n = 2. VSPW's windows are i = 0 .. F-n-1 = 0 only: frames 0-1 (the window of
     * frames 1-2 ends at the last frame and is not scored). Ground truth 0 -> 1: pixel 0 (0, 0), 1 (1, 1) and 3
     * (255, 255: void counts) agree, pixel 2 (2, 3) does not: |GT agreement| = 3. Prediction 0 -> 1: pixels 0
     * (0, 0), 2 (2, 2) and 3 (5, 5) agree, pixel 1 (1, 2) does not. Both: pixels 0 and 3, so the window scores
     * 2/3 and mVC2 = 66.67 % over 1 window.
     */
    @Test
    void aThreeFrameVideoWorkedByHand() {
        VideoConsistency vc = new VideoConsistency(2);
        video(vc, new int[][]{{0, 1, 2, 255}, {0, 1, 3, 255}, {0, 0, 3, 255}}, new int[][]{{0, 1, 2, 5}, {0, 2, 2, 5}, {1, 2, 2, 5}});
        VideoConsistency.Score s = vc.score(2);
        assertEquals(1, s.windows());
        assertEquals(200.0 / 3, s.mVC(), 1e-12);
    }

    /**
     * Skip rules. A video of F <= n frames has no window; a window whose ground truth agrees nowhere is not scored.
     * Video A (4 frames, n = 2): windows 0-1 and 1-2. Window 0-1: GT changes at both pixels, so it is skipped. Window
     * 1-2: GT agrees at both pixels, prediction at pixel 0 only: 1/2. Video B (2 frames) has none. Video C (3 frames):
     * window 0-1, GT agrees at both, prediction too: 1. Pooled: (1/2 + 1) / 2 = 75 % over 2 windows.
     */
    @Test
    void shortVideosAndEmptyGroundTruthAgreementAreSkipped() {
        VideoConsistency vc = new VideoConsistency(2);
        video(vc, new int[][]{{0, 1}, {1, 0}, {1, 0}, {4, 4}}, new int[][]{{0, 0}, {0, 0}, {0, 1}, {7, 7}});
        assertEquals(1, vc.score(2).windows());
        assertEquals(50, vc.score(2).mVC(), 1e-12);
        video(vc, new int[][]{{3, 3}, {3, 3}}, new int[][]{{1, 2}, {3, 4}});
        assertEquals(1, vc.score(2).windows(), "F = n: no window");
        video(vc, new int[][]{{3, 3}, {3, 3}, {9, 9}}, new int[][]{{1, 2}, {1, 2}, {0, 0}});
        assertEquals(2, vc.score(2).windows());
        assertEquals(75, vc.score(2).mVC(), 1e-12);
        assertEquals(3, vc.videos());

        VideoConsistency none = new VideoConsistency(8, 16);
        video(none, new int[8][3], new int[8][3]);
        assertTrue(Double.isNaN(none.score(8).mVC()));
        assertEquals(0, none.score(16).windows());
    }

    /** The definition computed directly over stored frames, window by window, for two lengths at once. */
    @Test
    void streamingEqualsTheDefinitionOnRandomVideos() {
        Random rnd = new Random(7);
        int[] lengths = {2, 3, 5};
        VideoConsistency vc = new VideoConsistency(lengths);
        double[] sum = new double[lengths.length];
        long[] count = new long[lengths.length];
        for (int v = 0; v < 12; v++) {
            int frames = 1 + rnd.nextInt(9), pixels = 1 + rnd.nextInt(40);
            List<int[]> gt = new ArrayList<>(), pred = new ArrayList<>();
            int[] g = new int[pixels], p = new int[pixels];
            for (int f = 0; f < frames; f++) {
                g = g.clone();
                p = p.clone();
                for (int i = 0; i < pixels; i++) {
                    if (rnd.nextDouble() < 0.15) {
                        g[i] = rnd.nextInt(3) == 0 ? 255 : rnd.nextInt(4);
                    }
                    if (rnd.nextDouble() < 0.25) {
                        p[i] = rnd.nextInt(4);
                    }
                }
                gt.add(g);
                pred.add(p);
            }
            video(vc, gt.toArray(new int[0][]), pred.toArray(new int[0][]));
            for (int l = 0; l < lengths.length; l++) {
                int n = lengths[l];
                for (int i = 0; i < frames - n; i++) {
                    long gtAgree = 0, both = 0;
                    for (int x = 0; x < pixels; x++) {
                        boolean ga = true, pa = true;
                        for (int j = i; j < i + n - 1; j++) {
                            ga &= gt.get(j)[x] == gt.get(j + 1)[x];
                            pa &= pred.get(j)[x] == pred.get(j + 1)[x];
                        }
                        gtAgree += ga ? 1 : 0;
                        both += ga && pa ? 1 : 0;
                    }
                    if (gtAgree > 0) {
                        sum[l] += (double) both / gtAgree;
                        count[l]++;
                    }
                }
            }
        }
        for (int l = 0; l < lengths.length; l++) {
            VideoConsistency.Score s = vc.score(lengths[l]);
            assertEquals(count[l], s.windows(), "n = " + lengths[l]);
            assertTrue(count[l] > 0);
            assertEquals(100 * sum[l] / count[l], s.mVC(), 1e-9);
        }
        assertEquals(List.of(2, 3, 5), vc.scores().stream().map(VideoConsistency.Score::windowLength).toList());
    }

    @Test
    void misuseIsOneLine() {
        VideoConsistency vc = new VideoConsistency(8, 16);
        assertThrows(GkcException.class, () -> vc.addFrame(new int[1], new int[1]));
        vc.beginVideo();
        vc.addFrame(new int[4], new int[4]);
        assertEquals("frame has 6 pixels but the video's earlier frames 4",
                assertThrows(GkcException.class, () -> vc.addFrame(new int[6], new int[6])).getMessage());
        assertThrows(GkcException.class, () -> vc.addFrame(new int[4], new int[5]));
        assertThrows(GkcException.class, () -> vc.score(4));
        assertThrows(GkcException.class, () -> new VideoConsistency(8, 8));
    }
}
