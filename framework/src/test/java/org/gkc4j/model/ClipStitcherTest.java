package org.gkc4j.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Hand-computed cases of joining overlapping clips into tracks. */
class ClipStitcherTest {
    private static final float ON = 10, OFF = -10;

    /** Two queries over frames of two pixels; {@code onPixel[q]} is the pixel query q covers in every frame of the clip. */
    private static ClipStitcher.Clip clip(int start, int frames, int[] onPixel, double[][] probs, double[][] emb) {
        float[][][] m = new float[2][frames][2];
        for (int q = 0; q < 2; q++) {
            for (int f = 0; f < frames; f++) {
                m[q][f][onPixel[q]] = ON;
                m[q][f][1 - onPixel[q]] = OFF;
            }
        }
        return new ClipStitcher.Clip(start, m, 1, 2, new double[][][]{probs}, emb);
    }

    @Test
    void clipScheduleCoversTheVideoWithTheOverlap() {
        assertEquals(List.of(0, 3, 6, 9, 12, 15, 16), ClipStitcher.starts(20, 4, 1));
        assertEquals(List.of(0, 2, 4, 6), ClipStitcher.starts(8, 2, 0));
        assertEquals(List.of(0), ClipStitcher.starts(3, 4, 1));
    }

    @Test
    void softIoUOfHalfCertainMasksIsOneThird() {
        // sigmoid(0) = 1/2 everywhere: intersection 1/4, union 1/2 + 1/2 - 1/4 = 3/4 per pixel
        assertEquals(1.0 / 3, ClipStitcher.softIoU(new float[][]{{0, 0}}, new float[][]{{0, 0}}), 1e-12);
        // x = sigmoid(ln 3) = 3/4, y = 1/2 on one pixel: (3/8) / (3/4 + 1/2 - 3/8) = 3/7
        assertEquals(3.0 / 7, ClipStitcher.softIoU(new float[][]{{(float) Math.log(3)}}, new float[][]{{0}}), 1e-7);
    }

    /**
     * Frames 0-2, clips [0,1] and [1,2]: clip B's queries are clip A's in the other order. The masks on the shared
     * frame 1 say so, and override query embeddings that say the opposite (weight 1 against 0.1). A track's class
     * is the mean over both clips: pixel 0's track (0.6, 0.2) in A and (0.2, 0.5) in B gives (0.4, 0.35), class 0
     * in every frame, though clip B alone would call it class 1 in frame 2; pixel 1's track (0.3, 0.5) and
     * (0.2, 0.6) gives (0.25, 0.55), class 1.
     */
    @Test
    void swappedQueriesAreJoinedByMaskOverlapAndKeepOneLabel() {
        double[][] embA = {{1, 0}, {0, 1}}, embB = {{1, 0}, {0, 1}};   // embeddings would keep the query order
        ClipStitcher.Clip a = clip(0, 2, new int[]{0, 1}, new double[][]{{0.6, 0.2}, {0.3, 0.5}}, embA);
        ClipStitcher.Clip b = clip(1, 2, new int[]{1, 0}, new double[][]{{0.2, 0.6}, {0.2, 0.5}}, embB);
        ClipStitcher.Video v = new ClipStitcher(1.0, 0.1, TrackClassVote.UNIFORM).video(3, 1, 2);
        v.add(a);
        v.add(b);
        assertArrayEquals(new int[]{1, 0}, v.tracks());
        int[][] labels = v.labelMaps()[0];
        for (int f = 0; f < 3; f++) {
            assertArrayEquals(new int[]{0, 1}, labels[f], "frame " + f);
        }
        // clip B alone labels pixel 0 of frame 2 by its own probabilities: class 1
        ClipStitcher.Video alone = new ClipStitcher(1.0, 0.1, TrackClassVote.UNIFORM).video(2, 1, 2);
        alone.add(clip(0, 2, new int[]{1, 0}, new double[][]{{0.2, 0.6}, {0.2, 0.5}}, embB));
        assertArrayEquals(new int[]{1, 1}, alone.labelMaps()[0][1]);
    }

    @Test
    void maskAreaIsTheSumOfTheSigmoids() {
        // 1/2 + 1/2 + sigmoid(ln 3) + 1/2 = 2.25
        assertEquals(2.25, TrackClassVote.MASK_AREA.weight(new float[][]{{0, 0}, {(float) Math.log(3), 0}}), 1e-7);
        assertEquals(1.0, TrackClassVote.UNIFORM.weight(new float[][]{{-50, -50}}));
    }

    /**
     * Frames 0-2, clips [0,1] and [1,2]. Query 0 covers pixel 0 in both frames of clip A (area 2, since sigmoid(x) +
     * sigmoid(-x) = 1) and only in frame 1 of clip B (area 1 + 2 sigmoid(-10) = 1.0000908); its class probabilities
     * are (0.6, 0.2) in A and (0.1, 0.7) in B. Uniform: (0.35, 0.45), class 1. By mask area: (1.2 + 0.1000091,
     * 0.4 + 0.7000636) / 3.0000908 = (0.4333, 0.3667), class 0. Query 1 covers pixel 1 throughout with the same area
     * in both clips: (0.25, 0.55) either way, class 1.
     */
    @Test
    void aClipInWhichTheTrackIsAbsentCountsLessByMaskArea() {
        float[][][] a = {{{ON, OFF}, {ON, OFF}}, {{OFF, ON}, {OFF, ON}}};
        float[][][] b = {{{ON, OFF}, {OFF, OFF}}, {{OFF, ON}, {OFF, ON}}};
        double[][] emb = {{1, 0}, {0, 1}};
        int[][][] labels = new int[2][][];
        for (TrackClassVote vote : TrackClassVote.values()) {
            ClipStitcher.Video v = new ClipStitcher(1.0, 0.1, vote).video(3, 1, 2);
            v.add(new ClipStitcher.Clip(0, a, 1, 2, new double[][][]{{{0.6, 0.2}, {0.3, 0.5}}}, emb));
            v.add(new ClipStitcher.Clip(1, b, 1, 2, new double[][][]{{{0.1, 0.7}, {0.2, 0.6}}}, emb));
            assertArrayEquals(new int[]{0, 1}, v.tracks(), vote + ": the queries keep their order");
            labels[vote.ordinal()] = v.labelMaps()[0];
        }
        for (int f = 0; f < 2; f++) {
            assertArrayEquals(new int[]{1, 1}, labels[TrackClassVote.UNIFORM.ordinal()][f], "uniform, frame " + f);
            assertArrayEquals(new int[]{0, 1}, labels[TrackClassVote.MASK_AREA.ordinal()][f], "mask area, frame " + f);
        }
    }

    /** Without shared frames only the embeddings decide: cosines 0.8 and 0.6 against 0.6 and 0.8 swap the queries. */
    @Test
    void disjointClipsAreJoinedByEmbedding() {
        ClipStitcher.Clip a = clip(0, 1, new int[]{0, 1}, new double[][]{{1, 0}, {0, 1}}, new double[][]{{1, 0}, {0, 1}});
        ClipStitcher.Clip b = clip(1, 1, new int[]{0, 1}, new double[][]{{1, 0}, {0, 1}}, new double[][]{{0.6, 0.8}, {0.8, 0.6}});
        ClipStitcher.Video v = new ClipStitcher(1.0, 1.0, TrackClassVote.UNIFORM).video(2, 1, 2);
        v.add(a);
        assertArrayEquals(new int[]{0, 1}, v.tracks());
        v.add(b);
        assertArrayEquals(new int[]{1, 0}, v.tracks());
    }
}
