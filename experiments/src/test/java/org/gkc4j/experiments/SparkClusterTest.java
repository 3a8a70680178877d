package org.gkc4j.experiments;

import org.gkc4j.config.Configs;
import org.gkc4j.experiments.spark.SparkContexts;
import org.gkc4j.experiments.spark.SparkOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real standalone Spark cluster on this machine (a master and two workers, each its own JVM from spark-core's
 * classes, each worker starting an executor JVM): a worker and its executor are killed while the second step's tasks
 * run; Spark reruns the lost task on the other executor and the run gives the single-process run's losses.
 */
class SparkClusterTest {
    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private Process start(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        cmd.addAll(Arrays.asList(SparkContexts.JAVA_OPTIONS.split(" ")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        // a worker builds its executors' command line from a Spark home; this one holds no jars, the executors run
        // the driver's class path (spark.executor.extraClassPath)
        Path home = dir.resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private void awaitLog(String name, String text, int times, long seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            Path log = dir.resolve(name + ".log");
            if (Files.exists(log) && Files.readString(log).split(java.util.regex.Pattern.quote(text), -1).length - 1 >= times) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no '" + text + "' in " + name + ".log: " + (Files.exists(dir.resolve(name + ".log")) ? Files.readString(dir.resolve(name + ".log")) : ""));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Kills a worker and its executor as soon as a task of the second step starts, and counts the tasks lost. */
    public static final class KillWorker extends org.apache.spark.scheduler.SparkListener {
        static volatile Process victim;
        static final java.util.concurrent.atomic.AtomicInteger failedTasks = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void onTaskStart(org.apache.spark.scheduler.SparkListenerTaskStart e) {
            Process p = victim;
            if (e.stageId() >= 2 && p != null) {   // stages 0 and 1 are the first step's two passes
                victim = null;
                p.descendants().forEach(ProcessHandle::destroyForcibly);   // its executor, as a lost machine
                p.destroyForcibly();
            }
        }

        @Override
        public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd e) {
            if (e.reason() != org.apache.spark.Success$.MODULE$) {
                failedTasks.incrementAndGet();
            }
        }
    }

    @Test
    void aKilledWorkersTasksAreRerunAndTheRunFollowsTheSingleProcessRun() throws Exception {
        List<String> o = new ArrayList<>(TinyRuns.overrides(dir.resolve("cache"), 2));
        o.add("train.batchSize=4");
        RunConfig cfg = Configs.load(RunConfig.class, RunConfig.defaults(), Path.of("../configs/demo.yaml"), o);
        Path single = dir.resolve("single"), cluster = dir.resolve("cluster");
        TrainingRun.train(cfg, single, false, null);   // also fills the CLIP and teacher caches the executors read

        int port = freePort();
        String master = "spark://127.0.0.1:" + port;
        start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", Integer.toString(port), "--webui-port", "0");
        awaitLog("master", "I have been elected leader", 1, 60);
        Process[] workers = new Process[2];
        for (int w = 0; w < 2; w++) {
            workers[w] = start("worker" + w, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1", "--memory", "2g",
                    "--webui-port", "0", "--work-dir", dir.resolve("work" + w).toString(), master);
        }
        awaitLog("master", "Registering worker", 2, 60);

        System.setProperty("spark.executor.memory", "1g");
        System.setProperty("spark.extraListeners", KillWorker.class.getName());
        KillWorker.victim = workers[1];
        try {
            TrainingRun.train(cfg, cluster, false, new SparkOptions(master, 2));
        } finally {
            System.clearProperty("spark.executor.memory");
            System.clearProperty("spark.extraListeners");
        }
        assertTrue(KillWorker.victim == null, "the worker was not killed");
        assertTrue(KillWorker.failedTasks.get() >= 1, "no task was lost with the worker, so none was rerun");
        assertTrue(workers[1].waitFor(10, TimeUnit.SECONDS));
        List<Double> expected = SparkTrainingTest.losses(single), actual = SparkTrainingTest.losses(cluster);
        assertEquals(2, actual.size());
        SparkTrainingTest.assertClose(expected, actual, 1e-5);
    }
}
