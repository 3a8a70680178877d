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
 * What data-parallel training refuses, that the ring all-reduce follows the single-process run step by step, and the
 * helpers of the Spark tests. That local mode with tree aggregation follows the single-process run step by step, across a killed and resumed driver, is {@link SparkDriverKillTest}'s; on a standalone cluster
 * with a lost worker, {@link SparkClusterTest}'s.
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
    void theRingAllReduceFollowsTheSingleProcessRun() throws Exception {
        TrainingRun.train(config(3), dir.resolve("single"), false, null);
        TrainingRun.train(config(3), dir.resolve("ring"), false, new SparkOptions("local[2]", 2, SparkOptions.AllReduce.RING));
        List<Double> single = losses(dir.resolve("single")), ring = losses(dir.resolve("ring"));
        assertClose(single, ring, 1e-5);
        assertTrue(TrainingRun.readLog(dir.resolve("ring").resolve(TrainingRun.METRICS_LOG)).get(0).containsKey("seconds_communication"));
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
