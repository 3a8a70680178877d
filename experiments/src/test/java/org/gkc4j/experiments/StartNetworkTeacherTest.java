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
    void theMatchersClassProbabilitiesAreARowSoftmax() {
        // the teacher hands the matcher ND4J's softmax of [Q, K+1] logits: row by row, stable for large logits
        INDArray p = org.nd4j.linalg.ops.transforms.Transforms.softmax(Nd4j.create(new double[][]{{0, Math.log(3)}, {1000, 1000}}), true);
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

    /** Frames of two sizes (multiples of 32, so nothing is padded), three segments each: two labelled, one crowd. */
    private static org.gkc4j.pipeline.SampleSource frames() {
        return frames(new int[][]{{64, 64}, {64, 64}, {64, 64}, {32, 64}, {32, 64}});
    }

    /** Frames of the given {height, width}, three segments each: two labelled, one crowd. */
    private static org.gkc4j.pipeline.SampleSource frames(int[][] sizes) {
        return frames(sizes, (index, x, y, w, h) -> x < w / 2 - index ? 0 : y < h / 2 ? 1 : 2);
    }

    /** Which of a frame's three segments (7, 9, 11 crowd) a pixel shows. */
    private interface Layout {
        int segmentAt(int index, int x, int y, int w, int h);
    }

    private static org.gkc4j.pipeline.SampleSource frames(int[][] sizes, Layout layout) {
        return new org.gkc4j.pipeline.SampleSource() {
            public int size() {
                return sizes.length;
            }

            public org.gkc4j.pipeline.SegmentationSample get(int index) {
                int h = sizes[index][0], w = sizes[index][1];
                java.util.Random rng = new java.util.Random(index);
                byte[] rgb = new byte[w * h * 3];
                rng.nextBytes(rgb);
                int[] map = new int[w * h];
                for (int i = 0; i < map.length; i++) {
                    int x = i % w, y = i / w;
                    map[i] = layout.segmentAt(index, x, y, w, h);
                }
                List<org.gkc4j.pipeline.Segment> segments = List.of(new org.gkc4j.pipeline.Segment(7, index % 4, false),
                        new org.gkc4j.pipeline.Segment(9, (index + 1) % 4, false), new org.gkc4j.pipeline.Segment(11, 2, true));
                return new org.gkc4j.pipeline.SegmentationSample("f" + index, new org.gkc4j.pipeline.RgbImage(w, h, rgb), map, segments, List.of());
            }

            public String name() {
                return "frames";
            }
        };
    }

    @Test
    void theStoreHoldsEachFramesMatchWhateverTheBatchAndIsReadBackFromTheCache(@org.junit.jupiter.api.io.TempDir Path dir) {
        var model = org.gkc4j.experiments.doctor.DoctorNetwork.config();
        Map<String, INDArray> weights = org.gkc4j.experiments.doctor.DoctorNetwork.weights();
        INDArray text = org.gkc4j.experiments.doctor.DoctorNetwork.textFeatures();
        CriterionConfig costs = CriterionConfig.defaults();
        org.gkc4j.pipeline.SampleSource source = frames();
        // batched by size (three frames, then two), shards of two frames
        org.gkc4j.pipeline.teacher.TeacherFeatureStore store = StartNetworkTeacher.features(source, model, weights, text, costs, dir.resolve("t"), 2);
        org.gkc4j.model.GkcPredictor alone = new org.gkc4j.model.GkcPredictor(model, weights);
        int distilled = 0;
        for (int i = 0; i < source.size(); i++) {
            var s = source.get(i);
            INDArray image = Nd4j.create(org.gkc4j.pipeline.augment.Normalization.IMAGENET.batch(List.of(s.image()), 1), new long[]{1, 3, s.height(), s.width()}, 'c');
            var r = alone.run(image, text);
            long last = r.predMasks().size(0) - 1;
            INDArray want = StartNetworkTeacher.matchedEmbeddings(org.gkc4j.pipeline.SegmentationLoader.targetsOf(s),
                    r.predMasks().get(org.nd4j.linalg.indexing.NDArrayIndex.point(last), org.nd4j.linalg.indexing.NDArrayIndex.point(0)),
                    org.nd4j.linalg.ops.transforms.Transforms.softmax(r.classLogits().get(org.nd4j.linalg.indexing.NDArrayIndex.point(last), org.nd4j.linalg.indexing.NDArrayIndex.point(0)).castTo(DataType.DOUBLE), true),
                    r.embeddings().get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).castTo(DataType.DOUBLE), new HungarianMatcher(costs),
                    StartNetworkTeacher.cellCentres((int) r.predMasks().size(3), (int) r.predMasks().size(4)));
            for (int j = 0; j < 2; j++) {
                INDArray got = store.get(s.id(), j == 0 ? 7 : 9);
                assertTrue(got.castTo(DataType.DOUBLE).equalsWithEps(want.getRow(j).castTo(DataType.DOUBLE), 1e-5), s.id() + " segment " + j + ": " + got + " vs " + want.getRow(j));
                assertEquals(1.0, got.norm2Number().doubleValue(), 1e-5);
                distilled++;
            }
            assertEquals(null, store.get(s.id(), 11), "a crowd segment has no teacher");
        }
        assertEquals(10, distilled);
        alone.close();
        // a second call reads the cache (a network that would give other features is not run)
        Map<String, INDArray> other = new LinkedHashMap<>(weights);
        other.replaceAll((k, v) -> v.mul(0.5));
        org.gkc4j.pipeline.teacher.TeacherFeatureStore cached = StartNetworkTeacher.features(source, model, other, text, costs, dir.resolve("t"), 2);
        assertEquals(store.get("f4", 9), cached.get("f4", 9));
    }

    @Test
    void theCellsThatCoverAFrameCountPartlyCoveredOnes() {
        assertArrayEquals(new int[]{16, 16}, StartNetworkTeacher.frameCells(16, 16, 64, 64));     // stride 4, nothing padded
        assertArrayEquals(new int[]{11, 12}, StartNetworkTeacher.frameCells(16, 16, 42, 48));     // 42/4 = 10.5 rows, 48/4 = 12
        assertArrayEquals(new int[]{17, 20}, StartNetworkTeacher.frameCells(32, 32, 33, 40));     // stride 2 of 64 x 64: 16.5 rows, 20
        assertArrayEquals(new int[]{1, 1}, StartNetworkTeacher.frameCells(8, 8, 1, 1));           // one pixel of a 32 x 32 input
    }

    @Test
    void framesOfNoMultipleOf32AreMatchedOnTheMaskCellsThatCoverThem(@org.junit.jupiter.api.io.TempDir Path dir) {
        var model = org.gkc4j.experiments.doctor.DoctorNetwork.config();
        assertEquals(4, model.pixelDecoder().maskStride(), "the cell counts below are for stride-4 masks");
        Map<String, INDArray> weights = org.gkc4j.experiments.doctor.DoctorNetwork.weights();
        INDArray text = org.gkc4j.experiments.doctor.DoctorNetwork.textFeatures();
        CriterionConfig costs = CriterionConfig.defaults();
        // 42 x 48 is padded to 64 x 64: 16 x 16 mask cells, of which 11 rows (the last one half inside) and 12 columns
        // cover the frame; one segment lies in the frame's last two rows, seen only by that half-inside row of cells
        org.gkc4j.pipeline.SampleSource source = frames(new int[][]{{42, 48}, {42, 48}},
                (index, x, y, w, h) -> y >= 40 ? (index == 0 ? 0 : 1) : x < 20 + 4 * index ? (index == 0 ? 1 : 0) : 2);
        org.gkc4j.pipeline.teacher.TeacherFeatureStore store = StartNetworkTeacher.features(source, model, weights, text, costs, dir.resolve("t"), 2);
        org.gkc4j.model.GkcPredictor alone = new org.gkc4j.model.GkcPredictor(model, weights);
        for (int i = 0; i < source.size(); i++) {
            var s = source.get(i);
            INDArray frame = Nd4j.create(org.gkc4j.pipeline.augment.Normalization.IMAGENET.batch(List.of(s.image()), 1), new long[]{1, 3, 42, 48}, 'c');
            INDArray padded = Nd4j.zeros(DataType.FLOAT, 1, 3, 64, 64);
            padded.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 42), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 48)).assign(frame);
            var r = alone.run(padded, text);
            long last = r.predMasks().size(0) - 1;
            assertEquals(16, r.predMasks().size(3));
            INDArray cells = r.predMasks().get(org.nd4j.linalg.indexing.NDArrayIndex.point(last), org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                    org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 11),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 12)).dup();
            INDArray want = StartNetworkTeacher.matchedEmbeddings(org.gkc4j.pipeline.SegmentationLoader.targetsOf(s), cells,
                    org.nd4j.linalg.ops.transforms.Transforms.softmax(r.classLogits().get(org.nd4j.linalg.indexing.NDArrayIndex.point(last), org.nd4j.linalg.indexing.NDArrayIndex.point(0)).castTo(DataType.DOUBLE), true),
                    r.embeddings().get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).castTo(DataType.DOUBLE), new HungarianMatcher(costs),
                    StartNetworkTeacher.cellCentres(11, 12));
            for (int j = 0; j < 2; j++) {
                INDArray got = store.get(s.id(), j == 0 ? 7 : 9);
                assertTrue(got.castTo(DataType.DOUBLE).equalsWithEps(want.getRow(j).castTo(DataType.DOUBLE), 1e-5), s.id() + " segment " + j + ": " + got + " vs " + want.getRow(j));
            }
        }
        alone.close();
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
