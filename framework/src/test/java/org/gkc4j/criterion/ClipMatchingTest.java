package org.gkc4j.criterion;

import org.gkc4j.data.ImageTargets;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Video Mask2Former's matching: a query is matched to a track over the whole clip, its masks of all frames stacked
 * along the height ([Q, T*h, w]) as the video network predicts them. Hand-computed on a clip of two 1x2 frames.
 */
class ClipMatchingTest {
    /** Pixel centres of the stacked 2x2 map: rows are frames 0 and 1. */
    private static final double[][] POINTS = {{0.25, 0.75, 0.25, 0.75}, {0.25, 0.25, 0.75, 0.75}};

    /**
     * The track covers the left pixel in both frames. Query A is right in frame 0 and wrong in frame 1 (logits
     * +-10), query B half-sure and right in both (logits +-1). Costs (mask 1, dice 1, class 0):
     * A: BCE (2 softplus(-10) + 2 softplus(10)) / 4 = 5.0000454, dice 1 - (2*1 + 1) / (2 + 2 + 1) = 0.4;
     * B: BCE softplus(-1) = 0.3132617, dice 1 - (2*2*sigmoid(1) + 1) / (2 + 2 + 1) = 0.2151531.
     * Over the clip B wins; frame 0 alone would pick A.
     */
    @Test
    void aQueryIsMatchedToATrackOverTheWholeClip() {
        INDArray masks = Nd4j.createFromArray(new double[][][]{{{10, -10}, {-10, 10}}, {{1, -1}, {1, -1}}});
        INDArray track = Nd4j.createFromArray(new double[][][]{{{1, 0}, {1, 0}}});
        INDArray probs = Nd4j.createFromArray(new double[][]{{0.5, 0.5}, {0.5, 0.5}});
        ImageTargets targets = ImageTargets.plain(track, new int[]{0});
        HungarianMatcher m = new HungarianMatcher(new CriterionConfig(5, 5, 2, 0.1, 0, 4, 3, 0.75, 0, 1, 1, true, 8));
        double[][] cost = m.cost(masks, probs, targets, POINTS);
        assertEquals(5.0000454 + 0.4, cost[0][0], 1e-6);
        assertEquals(0.3132617 + 0.2151531, cost[0][1], 1e-6);
        assertArrayEquals(new int[]{1}, m.match(masks, probs, targets, POINTS));

        INDArray frame0 = masks.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1), NDArrayIndex.all()).dup();
        ImageTargets track0 = ImageTargets.plain(track.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1), NDArrayIndex.all()).dup(), new int[]{0});
        double[][] points0 = {{0.25, 0.75}, {0.5, 0.5}};
        assertArrayEquals(new int[]{0}, m.match(frame0, probs, track0, points0));
        assertEquals(DataType.DOUBLE, masks.dataType());
    }
}
