package org.gkc4j.criterion;

import org.gkc4j.data.ImageTargets;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.testing.ToyScenes;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistillationLossFeedTest {
    /** A segment whose teacher row is all zeros (TeacherAgreement's mark for "no trusted teacher") is not distilled. */
    @Test
    void aSegmentWithAZeroTeacherRowIsLeftOut() {
        TrainingBatch plain = ToyScenes.batch(new int[]{0}, 32, 32, DataType.DOUBLE);
        ImageTargets t = plain.targets().get(0);
        int n = t.count();
        assertTrue(n >= 2, "the toy scene has " + n + " segments");
        INDArray teacher = Nd4j.rand(DataType.DOUBLE, n, 4).addi(0.1);
        teacher.getRow(1).assign(0.0);
        TrainingBatch batch = new TrainingBatch(plain.images(), List.of(t.withTeacher(teacher)));
        List<String> names = List.of("a", "b", "c", "d", "e", "f", "g", "h");
        DistillationLoss kd = new DistillationLoss(1.0, DistillationLoss.Variant.TEXT_GUIDED, DistillationLoss.StudentSource.PRIOR, 4, 200,
                names, list -> Nd4j.rand(DataType.DOUBLE, list.size(), 3));
        int maxTargets = n + 1;
        LossTerm.Dims dims = new LossTerm.Dims(1, 5, 8, 8, maxTargets, 16, names.size(), 3);
        int[][] matches = new int[1][n];
        for (int j = 0; j < n; j++) {
            matches[0][j] = j;
        }
        Map<String, INDArray> ph = new HashMap<>();
        kd.feed(new LossTerm.SetFeed(0, batch, matches, null, null, dims, n, new SplittableRandom(1)), ph);
        double[] expected = new double[maxTargets];
        for (int j = 0; j < n; j++) {
            expected[j] = j == 1 ? 0 : 1;
        }
        assertArrayEquals(expected, ph.get("loss.kd_valid").toDoubleVector(), 0.0);
        INDArray pairs = ph.get("loss.kd_pairs");
        assertEquals(0.0, pairs.getRow(1).sumNumber().doubleValue() + pairs.getColumn(1).sumNumber().doubleValue(), 0.0,
                "the left-out segment takes part in no pair");
        assertEquals((n - 1) * (n - 1), pairs.sumNumber().doubleValue(), 0.0);
    }
}
