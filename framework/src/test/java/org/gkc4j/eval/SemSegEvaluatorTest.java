package org.gkc4j.eval;

import com.fasterxml.jackson.databind.JsonNode;
import org.gkc4j.GkcException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Metrics on cases small enough to compute by hand (the derivations are in the comments). */
class SemSegEvaluatorTest {
    private static final double EPS = 1e-9;

    @Test
    void threeClassesWithIgnoredPixel() {
        SemSegEvaluator ev = new SemSegEvaluator(3, 255);
        // Non-ignored pixels: (p0,g0) (p1,g0) (p1,g1) (p1,g1) (p0,g2); the last pixel is ignored whatever is predicted.
        ev.add(new int[]{0, 1, 1, 1, 0, 2}, new int[]{0, 0, 1, 1, 2, 255});
        // tp = [1,2,0], gt = [2,2,1], pred = [2,3,0]: IoU = [1/3, 2/3, 0]
        SemSegMetrics m = ev.metrics(Set.of(2));
        assertArrayEquals(new double[]{100.0 / 3, 200.0 / 3, 0}, m.perClassIoU(), EPS);
        assertEquals(100.0 / 3, m.mIoU(), EPS);
        assertEquals(60, m.pAcc(), EPS);              // 3 of 5
        assertEquals(50, m.mIoUBase(), EPS);          // (1/3 + 2/3) / 2
        assertEquals(0, m.mIoUNovel(), EPS);
        assertEquals(0, m.hIoU(), EPS);
        assertEquals(5, m.validPixels());
        assertEquals(1, m.images());
        // one row per true class: g0 -> {p0, p1}, g1 -> {p1, p1}, g2 -> {p0}; the ignored pixel counts nowhere
        long[][] byTruth = ev.confusionByTruth();
        assertArrayEquals(new long[]{1, 1, 0}, byTruth[0]);
        assertArrayEquals(new long[]{0, 2, 0}, byTruth[1]);
        assertArrayEquals(new long[]{1, 0, 0}, byTruth[2]);
    }

    @Test
    void classPredictedButAbsentFromGroundTruthCountsInTheDenominator() {
        SemSegEvaluator ev = new SemSegEvaluator(4, 255);
        ev.add(new int[]{0, 3, 1, 1}, new int[]{0, 0, 1, 1});
        // IoU0 = 1/(2+1-1) = 1/2, IoU1 = 1; classes 2 (absent everywhere) and 3 (predicted only) have no IoU.
        // Present in ground truth or prediction: {0,1,3}, so mIoU = 1.5 / 3 (a ground-truth-only mean would say 0.75).
        SemSegMetrics m = ev.metrics(List.of(1, 3));
        assertEquals(50, m.mIoU(), EPS);
        assertEquals(75, m.pAcc(), EPS);
        assertEquals(50, m.perClassIoU()[0], EPS);
        assertEquals(100, m.perClassIoU()[1], EPS);
        assertTrue(Double.isNaN(m.perClassIoU()[2]) && Double.isNaN(m.perClassIoU()[3]));
        assertEquals(50, m.mIoUBase(), EPS);          // base {0,2}: 0.5 over {0}
        assertEquals(50, m.mIoUNovel(), EPS);         // novel {1,3}: 1 over {1,3}
        assertEquals(50, m.hIoU(), EPS);
    }

    @Test
    void harmonicMeanOfUnequalSubsets() {
        SemSegEvaluator ev = new SemSegEvaluator(2, 255);
        // class 0: 3 of 4 right, one predicted as 1; class 1: 1 pixel right. IoU0 = 3/4, IoU1 = 1/2.
        ev.add(new int[]{0, 0, 0, 1, 1}, new int[]{0, 0, 0, 0, 1});
        SemSegMetrics m = ev.metrics(Set.of(1));
        assertEquals(75, m.mIoUBase(), EPS);
        assertEquals(50, m.mIoUNovel(), EPS);
        assertEquals(100 * 2 * 0.75 * 0.5 / 1.25, m.hIoU(), EPS);
        assertEquals(62.5, m.mIoU(), EPS);
        assertEquals(80, m.pAcc(), EPS);
    }

    @Test
    void predictingTheIgnoreLabelIsAMiss() {
        SemSegEvaluator ev = new SemSegEvaluator(2, 255);
        ev.add(new int[]{0, 255}, new int[]{0, 0});
        SemSegMetrics m = ev.metrics();
        assertEquals(50, m.perClassIoU()[0], EPS);   // tp 1, gt 2, pred 1
        assertEquals(50, m.mIoU(), EPS);
        assertEquals(50, m.pAcc(), EPS);
        assertEquals(m.mIoU(), m.mIoUBase(), EPS);
        assertTrue(Double.isNaN(m.mIoUNovel()) && Double.isNaN(m.hIoU()));
    }

    @Test
    void streamingImageByImageEqualsOneBigImageAndMergeEqualsBoth() {
        int[] p1 = {0, 1, 2, 2}, g1 = {0, 1, 1, 255}, p2 = {2, 2, 0}, g2 = {2, 0, 0};
        SemSegEvaluator a = new SemSegEvaluator(3, 255), b = new SemSegEvaluator(3, 255), c = new SemSegEvaluator(3, 255);
        a.add(p1, g1);
        a.add(p2, g2);
        b.add(new int[]{0, 1, 2, 2, 2, 2, 0}, new int[]{0, 1, 1, 255, 2, 0, 0});
        SemSegEvaluator d = new SemSegEvaluator(3, 255);
        c.add(p1, g1);
        d.add(p2, g2);
        c.merge(d);
        assertArrayEquals(b.metrics().perClassIoU(), a.metrics().perClassIoU(), EPS);
        assertArrayEquals(a.confusionMatrix(), c.confusionMatrix());
        assertEquals(2, a.images());
        assertEquals(2, c.images());
        // [pred][gt]: pred 2 took one pixel of gt 1 and one of gt 0.
        assertEquals(1, a.confusionMatrix()[2][1]);
        assertEquals(1, a.confusionMatrix()[2][0]);
    }

    @Test
    void outOfRangeValuesAreOneLineErrorsAndLeaveCountsUntouched() {
        SemSegEvaluator ev = new SemSegEvaluator(3, 255);
        GkcException e = assertThrows(GkcException.class, () -> ev.add(new int[]{0, 0, 0, 0}, new int[]{0, 0, 0, 3}, 2));
        assertEquals("ground-truth label 3 at pixel (1, 1) is neither a class index 0..2 nor the ignore label 255", e.getMessage());
        e = assertThrows(GkcException.class, () -> ev.add(new int[]{0, 7}, new int[]{0, 1}));
        assertTrue(e.getMessage().startsWith("predicted label 7 at pixel 1"), e.getMessage());
        assertEquals(0, ev.images());
        assertEquals(0, ev.metrics().validPixels());
        assertThrows(GkcException.class, () -> new SemSegEvaluator(3, 2));
        assertThrows(GkcException.class, () -> ev.metrics(Set.of(3)));
        assertThrows(GkcException.class, () -> ev.add(new int[3], new int[4]));
    }

    @Test
    void jsonFollowsTheContractWithNullsForUndefinedValues() {
        SemSegEvaluator ev = new SemSegEvaluator(3, 255);
        ev.add(new int[]{1, 1}, new int[]{1, 255});
        JsonNode j = ev.metrics().toJson();
        assertEquals(100, j.get("mIoU").asDouble(), EPS);
        assertEquals(100, j.get("pAcc").asDouble(), EPS);
        assertEquals(100, j.get("mIoU_base").asDouble(), EPS);
        assertTrue(j.get("mIoU_novel").isNull());
        assertTrue(j.get("hIoU").isNull());
        assertEquals(3, j.get("per_class_iou").size());
        assertTrue(j.get("per_class_iou").get(0).isNull());
        assertEquals(100, j.get("per_class_iou").get(1).asDouble(), EPS);

        JsonNode empty = new SemSegEvaluator(3, 255).metrics().toJson();
        assertTrue(empty.get("mIoU").isNull() && empty.get("pAcc").isNull());
    }
}
