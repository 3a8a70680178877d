package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.criterion.HungarianMatcher;
import org.gkc4j.data.ImageTargets;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start network as distillation teacher: each segment's row is the unit-normalised embedding of the query the
 * training matcher gives it (hand-made masks whose match is evident), zeros where there is nothing to distil; the
 * settings that cannot work are refused in one line.
 */
class StartNetworkTeacherTest {

    @Test
    void eachSegmentGetsItsMatchedQuerysUnitEmbedding() {
        // 4x4 frame: segment 0 the top half (label 0), segment 1 the bottom half (label 1), segment 2 the left column
        // without a training label, segment 3 labelled but with no pixel
        float[] masks = new float[4 * 16];
        for (int i = 0; i < 8; i++) {
            masks[i] = 1;                       // top half
            masks[16 + 8 + i] = 1;              // bottom half
        }
        for (int r = 0; r < 4; r++) {
            masks[32 + r * 4] = 1;              // left column
        }
        ImageTargets targets = ImageTargets.plain(Nd4j.create(masks, new long[]{4, 4, 4}, 'c'), new int[]{0, 1, -1, 1});
        // queries on a 2x2 mask grid: 0 covers the bottom row, 1 nothing, 2 the top row
        INDArray predMasks = Nd4j.create(new float[]{-10, -10, 10, 10, -10, -10, -10, -10, 10, 10, -10, -10}, new long[]{3, 2, 2}, 'c');
        INDArray probs = Nd4j.valueArrayOf(new long[]{3, 3}, 1.0 / 3, DataType.DOUBLE);   // class costs alike
        INDArray embeddings = Nd4j.create(new double[][]{{3, 4}, {1, 0}, {0, 2}});
        INDArray rows = StartNetworkTeacher.matchedEmbeddings(targets, predMasks, probs, embeddings,
                new HungarianMatcher(CriterionConfig.defaults()), StartNetworkTeacher.cellCentres(2, 2));
        assertArrayEquals(new long[]{4, 2}, rows.shape());
        assertArrayEquals(new float[]{0, 1}, rows.getRow(0).toFloatVector(), 1e-6f);        // query 2, (0, 2) normalised
        assertArrayEquals(new float[]{0.6f, 0.8f}, rows.getRow(1).toFloatVector(), 1e-6f);  // query 0, (3, 4) normalised
        assertArrayEquals(new float[]{0, 0}, rows.getRow(2).toFloatVector());                // no training label
        assertArrayEquals(new float[]{0, 0}, rows.getRow(3).toFloatVector());                // no pixel
    }

    @Test
    void cellCentresAreNormalisedRowByRow() {
        double[][] p = StartNetworkTeacher.cellCentres(2, 4);
        assertArrayEquals(new double[]{0.125, 0.375, 0.625, 0.875, 0.125, 0.375, 0.625, 0.875}, p[0], 1e-12);
        assertArrayEquals(new double[]{0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75}, p[1], 1e-12);
    }

    @Test
    void softmaxRowsSumToOneAndKeepOrder() {
        INDArray p = StartNetworkTeacher.softmaxRows(Nd4j.create(new double[][]{{0, Math.log(3)}, {1000, 1000}}));
        assertArrayEquals(new double[]{0.25, 0.75}, p.getRow(0).toDoubleVector(), 1e-12);
        assertArrayEquals(new double[]{0.5, 0.5}, p.getRow(1).toDoubleVector(), 1e-12);
    }

    @Test
    void fingerprintFollowsValuesNamesAndShapes() {
        Map<String, INDArray> a = new LinkedHashMap<>();
        a.put("w", Nd4j.create(new float[]{1, 2, 3, 4}, new long[]{2, 2}, 'c'));
        a.put("b", Nd4j.create(new float[]{5}, new long[]{1}, 'c'));
        Map<String, INDArray> reordered = new LinkedHashMap<>();
        reordered.put("b", a.get("b").dup());
        reordered.put("w", a.get("w").dup());
        assertEquals(StartNetworkTeacher.fingerprint(a), StartNetworkTeacher.fingerprint(reordered));
        Map<String, INDArray> changed = new LinkedHashMap<>(a);
        changed.put("w", Nd4j.create(new float[]{1, 2, 3, 4.0001f}, new long[]{2, 2}, 'c'));
        assertNotEquals(StartNetworkTeacher.fingerprint(a), StartNetworkTeacher.fingerprint(changed));
        Map<String, INDArray> reshaped = new LinkedHashMap<>(a);
        reshaped.put("w", Nd4j.create(new float[]{1, 2, 3, 4}, new long[]{4, 1}, 'c'));
        assertNotEquals(StartNetworkTeacher.fingerprint(a), StartNetworkTeacher.fingerprint(reshaped));
    }

    private static RunConfig run(String space) {
        return Configs.load(RunConfig.class, RunConfig.defaults(), Path.of("../configs/demo.yaml"), List.of("distillation.enabled=true",
                "distillation.student=direct", "distillation.target=start_network", "distillation.space=" + space));
    }

    @Test
    void refusedWithoutAStartNetworkOrWithTheGapShiftInOneLine() {
        GkcException noStart = assertThrows(GkcException.class, () -> TrainingSetup.checkStartNetworkTeacher(run("image"), false));
        assertTrue(noStart.getMessage().contains("video runs only"), noStart.getMessage());
        GkcException shifted = assertThrows(GkcException.class, () -> TrainingSetup.checkStartNetworkTeacher(run("gap_shifted"), true));
        assertTrue(shifted.getMessage().contains("distillation.space image"), shifted.getMessage());
        for (GkcException e : List.of(noStart, shifted)) {
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
        TrainingSetup.checkStartNetworkTeacher(run("image"), true);
        // the student is the query embedding and so is the teacher: no width to refuse whatever CLIP is used
        TrainingSetup.checkStudentWidth(run("image"), org.gkc4j.clip.ClipConfig.rn50());
    }
}
