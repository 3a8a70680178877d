package org.gkc4j.criterion;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PointSamplerTest {
    @Test
    void handComputedValuesIncludingTheZeroPaddedBorder() {
        INDArray map = Nd4j.createFromArray(new float[][][]{{{1, 2}, {3, 4}}});
        double[][] v = PointSampler.sample(map, new double[]{0.5, 0.25, 0.0, 1.0}, new double[]{0.5, 0.25, 0.0, 0.75});
        assertEquals(2.5, v[0][0], 1e-12);    // the centre: the mean of all four
        assertEquals(1.0, v[0][1], 1e-12);    // a pixel centre
        assertEquals(0.25, v[0][2], 1e-12);   // the corner: three of four neighbours are padding
        // (x, y) = (1, 0.75) is pixel (1.5, 1.0): half of the right column's bottom value 4, half padding
        assertEquals(2.0, v[0][3], 1e-12);
    }

    @Test
    void sharedCornerPlanEqualsSamplingEachMapOnItsOwn() {
        SplittableRandom rng = new SplittableRandom(8);
        int n = 3, h = 5, w = 7;
        INDArray maps = Nd4j.rand(DataType.FLOAT, n, h, w).subi(0.5);
        double[][] pts = PointSampler.uniform(500, rng);
        pts[0][0] = 0;
        pts[1][0] = 1;   // both borders
        double[][] got = PointSampler.sample(maps, pts[0], pts[1]);
        for (int i = 0; i < n; i++) {
            float[] one = maps.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).dup('c').data().asFloat();
            for (int k = 0; k < pts[0].length; k++) {
                assertEquals(PointSampler.sample(one, h, w, pts[0][k], pts[1][k]), got[i][k], 0.0, "map " + i + " point " + k);
            }
        }
    }
}
