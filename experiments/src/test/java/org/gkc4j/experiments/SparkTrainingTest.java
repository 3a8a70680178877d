package org.gkc4j.experiments;

import org.gkc4j.config.Configs;
import org.gkc4j.experiments.spark.SparkOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data-parallel training on Spark in local mode follows the single-process run on the same batches: the same loss
 * at every step (to float rounding of the shards' gradient sums), including after the driver stops and resumes.
 */
class SparkTrainingTest {
    @TempDir
    Path dir;

    private RunConfig config(int iterations, String... more) throws Exception {
        List<String> o = new ArrayList<>(TinyRuns.overrides(dir.resolve("cache"), iterations));
        o.add("train.batchSize=4");   // two images per worker
        o.add("train.checkpointEvery=2");
        o.addAll(List.of(more));
        return Configs.load(RunConfig.class, RunConfig.defaults(), Path.of("../configs/demo.yaml"), o);
    }

    static List<Double> losses(Path out) throws Exception {
        List<Double> l = new ArrayList<>();
        for (Map<String, Object> r : TrainingRun.readLog(out.resolve(TrainingRun.METRICS_LOG))) {
            l.add(((Number) r.get("loss")).doubleValue());
        }
        return l;
    }

    static void assertClose(List<Double> expected, List<Double> actual, double rel) {
        assertEquals(expected.size(), actual.size(), "steps");
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.get(i), a = actual.get(i);
            assertTrue(Math.abs(e - a) <= rel * Math.abs(e), "step " + i + ": " + e + " against " + a + " (" + expected + " / " + actual + ")");
        }
    }

    @Test
    void localTwoWorkersFollowTheSingleProcessRunAndResume() throws Exception {
        Path single = dir.resolve("single"), spark = dir.resolve("spark");
        TrainingRun.train(config(4), single, false, null);
        List<Double> expected = losses(single);
        // the driver stops after step 2 (its last checkpoint), then resumes on Spark
        TrainingRun.train(config(2), spark, false, new SparkOptions("local[2]", 2));
        TrainingRun.train(config(4), spark, true, new SparkOptions("local[2]", 2));
        List<Double> actual = losses(spark);
        assertClose(expected, actual, 1e-5);
        for (Map<String, Object> r : TrainingRun.readLog(spark.resolve(TrainingRun.METRICS_LOG))) {
            assertTrue(((Number) r.get("seconds_communication")).doubleValue() >= 0, r.toString());
        }
        // the step's losses moved (a run that did not train would agree trivially)
        assertTrue(Math.abs(expected.get(0) - expected.get(3)) > 1e-3, expected.toString());
    }

    @Test
    void aBatchThatWorkersCannotShareIsRefusedInOneLine() throws Exception {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(org.gkc4j.GkcException.class,
                () -> TrainingRun.train(config(1, "grounding.enabled=true"), dir.resolve("g"), false, new SparkOptions("local[2]", 2)));
        assertTrue(e.getMessage().contains("grounding"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(org.gkc4j.GkcException.class,
                () -> TrainingRun.train(config(1, "train.batchSize=3"), dir.resolve("b"), false, new SparkOptions("local[2]", 2)));
        assertTrue(e.getMessage().contains("multiple"), e.getMessage());
    }
}
