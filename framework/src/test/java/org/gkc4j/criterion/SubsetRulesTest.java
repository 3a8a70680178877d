package org.gkc4j.criterion;

import org.gkc4j.data.ImageTargets;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.testing.ToyScenes;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The authors' random subsets (method doc, KD and grounding): distillation keeps at most {@code maxInstances} segments
 * of the batch (200 in GKC), grounding at most {@code maxRegions} matched queries per image (25); below the limit
 * everything is kept. The subsets are drawn uniformly, so over many seeds every candidate is kept about limit/n of
 * the time.
 */
class SubsetRulesTest {
    private static final List<String> NAMES = List.of("a", "b", "c", "d");
    private static final int SEEDS = 200;

    /** Scenes 0 and 1 of ToyScenes: 4 + 3 segments, each matched to its own query, with teacher rows. */
    private static TrainingBatch batch() {
        TrainingBatch plain = ToyScenes.batch(new int[]{0, 1}, 16, 16, DataType.DOUBLE);
        List<ImageTargets> t = new ArrayList<>();
        for (ImageTargets it : plain.targets()) {
            t.add(it.withTeacher(Nd4j.rand(DataType.DOUBLE, it.count(), 4).addi(0.1)));
        }
        return new TrainingBatch(plain.images(), t);
    }

    private static Map<String, INDArray> feedKd(int maxInstances, TrainingBatch batch, LossTerm.Dims dims, int[][] matches, long seed) {
        DistillationLoss kd = new DistillationLoss(1.0, DistillationLoss.Variant.TEXT_GUIDED, DistillationLoss.StudentSource.PRIOR, 4,
                maxInstances, NAMES, list -> Nd4j.rand(DataType.DOUBLE, list.size(), 3));
        Map<String, INDArray> ph = new HashMap<>();
        kd.feed(new LossTerm.SetFeed(0, batch, matches, null, null, dims, 7, new SplittableRandom(seed)), ph);
        return ph;
    }

    @Test
    void distillationKeepsARandomSubsetOfTheBatchAboveItsLimit() {
        TrainingBatch batch = batch();
        int[] counts = {batch.targets().get(0).count(), batch.targets().get(1).count()};
        assertEquals(4, counts[0]);
        assertEquals(3, counts[1]);
        LossTerm.Dims dims = new LossTerm.Dims(2, 8, 4, 4, 4, 16, NAMES.size(), 3);
        int[][] matches = {{0, 1, 2, 3}, {4, 5, 6}};
        int[] imageOf = {0, 0, 0, 0, 1, 1, 1, 0};   // row 7 is padding
        // at or below the limit: all seven segments, pairs within each image only
        for (int limit : new int[]{7, 200}) {
            Map<String, INDArray> ph = feedKd(limit, batch, dims, matches, 1);
            assertEquals(7.0, ph.get("loss.kd_valid").sumNumber().doubleValue(), 0.0);
            assertEquals(4 * 4 + 3 * 3, ph.get("loss.kd_pairs").sumNumber().doubleValue(), 0.0);
        }
        int limit = 3;
        int[] kept = new int[8];
        Set<String> subsets = new HashSet<>();
        for (long seed = 0; seed < SEEDS; seed++) {
            Map<String, INDArray> ph = feedKd(limit, batch, dims, matches, seed);
            double[] valid = ph.get("loss.kd_valid").toDoubleVector();
            double[][] pairs = ph.get("loss.kd_pairs").toDoubleMatrix();
            assertEquals(limit, java.util.Arrays.stream(valid).sum(), 0.0, "seed " + seed);
            assertEquals(0.0, valid[7], 0.0, "padding row");
            StringBuilder key = new StringBuilder();
            for (int a = 0; a < 8; a++) {
                kept[a] += (int) valid[a];
                key.append((int) valid[a]);
                for (int c = 0; c < 8; c++) {
                    // a pair is two kept segments of one image: the subset keeps each segment's own image
                    double want = valid[a] > 0 && valid[c] > 0 && imageOf[a] == imageOf[c] ? 1 : 0;
                    assertEquals(want, pairs[a][c], 0.0, "pair " + a + "," + c + " seed " + seed);
                }
            }
            subsets.add(key.toString());
        }
        // uniform without replacement: each of 7 segments kept with probability 3/7 (200 draws: sd 7.0, allow 4 sd)
        for (int a = 0; a < 7; a++) {
            assertEquals(SEEDS * 3.0 / 7, kept[a], 28, "segment " + a + " kept " + kept[a] + " times");
        }
        assertTrue(subsets.size() >= 30, "only " + subsets.size() + " of the 35 subsets drawn");
    }

    @Test
    void groundingKeepsARandomSubsetOfEachImagesMatchedQueriesAboveItsLimit() {
        TrainingBatch batch = batch();
        int q = 8, r = 2;
        LossTerm.Dims dims = new LossTerm.Dims(2, q, 4, 4, 4, 16, NAMES.size(), 3);
        // image 0: four matched queries (over the limit), image 1: two matched and one unmatched (within it)
        int[][] matches = {{5, 1, 3, 0}, {2, -1, 6}};
        GroundingLoss g = new GroundingLoss(1.0, 5, r, list -> {
            throw new AssertionError("no caption nouns in this batch");
        });
        Map<Integer, Integer> keptQuery0 = new HashMap<>();
        for (long seed = 0; seed < SEEDS; seed++) {
            Map<String, INDArray> ph = new HashMap<>();
            g.feed(new LossTerm.SetFeed(0, batch, matches, null, null, dims, 7, new SplittableRandom(seed)), ph);
            double[][] select = ph.get("loss.s0.ground_select").toDoubleMatrix();
            assertEquals(2 * r, select.length);
            assertEquals(2 * q, select[0].length);
            assertEquals(4.0, ph.get("loss.s0.ground_region_mask").sumNumber().doubleValue(), 0.0, "both images fill their " + r + " region slots");
            Set<Integer> image0 = new HashSet<>(), image1 = new HashSet<>();
            for (int row = 0; row < 2 * r; row++) {
                List<Integer> cols = new ArrayList<>();
                for (int col = 0; col < 2 * q; col++) {
                    if (select[row][col] != 0) {
                        assertEquals(1.0, select[row][col], 0.0);
                        cols.add(col);
                    }
                }
                assertEquals(1, cols.size(), "row " + row + " selects one query");
                (row < r ? image0 : image1).add(cols.get(0));
            }
            assertEquals(r, image0.size(), "distinct queries");
            assertTrue(Set.of(5, 1, 3, 0).containsAll(image0), image0.toString());
            assertEquals(Set.of(q + 2, q + 6), image1, "within the limit every matched query of image 1 is kept");
            for (int c : image0) {
                keptQuery0.merge(c, 1, Integer::sum);
            }
        }
        // uniform: each of image 0's four matched queries kept with probability 2/4 (sd 7.1, allow 4 sd)
        for (int c : new int[]{5, 1, 3, 0}) {
            assertEquals(SEEDS / 2.0, keptQuery0.getOrDefault(c, 0), 28, "query " + c + " kept " + keptQuery0.get(c) + " times");
        }
    }
}
