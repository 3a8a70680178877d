package org.gkc4j.experiments;

import org.gkc4j.config.Configs;
import org.gkc4j.train.Checkpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lost driver, for real: {@code gkc train --spark local[2]} in its own JVM is killed with SIGKILL while it writes a
 * checkpoint after step 2, and {@code --resume} in a new JVM finishes the run with the losses of an uninterrupted one, bit for bit.
 * The checkpoint file is watched throughout: every state of it a reader can see is a whole safetensors file.
 */
class SparkDriverKillTest {
    @TempDir
    Path dir;
    private Process driver;

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.descendants().forEach(ProcessHandle::destroyForcibly);
            driver.destroyForcibly();
        }
    }

    private static final int STEPS = 4;

    private List<String> overrides() {
        List<String> o = new ArrayList<>(TinyRuns.overrides(dir.resolve("cache"), STEPS));
        o.add("train.batchSize=4");   // two images per worker
        o.add("train.checkpointEvery=1");
        o.add("evaluation.images=2");
        o.add("evaluation.visualise=0");   // the resumed driver evaluates as every train command does: as little as it can
        o.add("evaluation.validationImages=2");
        o.add("evaluation.seenPenalties=[0.0]");
        o.add("evaluation.hubnessWeights=[0.0]");
        return o;
    }

    /** {@code gkc train} in a new JVM with this JVM's options and class path. */
    private Process train(Path out, String log, String... more) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.gkc4j.cli.GkcMain"));
        cmd.addAll(List.of(TinyRuns.withOverrides(overrides(), "train", "--config", Path.of("../configs/demo.yaml").toAbsolutePath().toString(),
                "--out", out.toString(), "--spark", "local[2]", "--spark-workers", "2")));
        cmd.addAll(List.of(more));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
    }

    /**
     * Whether the file is a whole safetensors file: its header parses and the last tensor ends at the file's end. A
     * file replaced while being read reads as whole (the reader holds the old inode).
     */
    static boolean whole(Path file) {
        try (FileChannel ch = FileChannel.open(file)) {
            long size = ch.size();
            if (size < 8) {
                return false;
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(len, 0);
            long n = len.flip().getLong();
            if (n <= 0 || 8 + n > size) {
                return false;
            }
            ByteBuffer header = ByteBuffer.allocate((int) n);
            ch.read(header, 8);
            long end = 0;
            for (var e : Configs.JSON.readTree(header.array()).properties()) {
                if (!e.getKey().equals("__metadata__")) {
                    end = Math.max(end, e.getValue().get("data_offsets").get(1).asLong());
                }
            }
            return 8 + n + end == size;
        } catch (java.nio.file.NoSuchFileException e) {
            return true;   // not there (yet) is not half-written
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean writing(Path run) throws IOException {
        try (Stream<Path> s = Files.list(run)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("." + TrainingRun.CHECKPOINT) && p.getFileName().toString().endsWith(".tmp"));
        }
    }

    @Test
    void aDriverKilledWhileCheckpointingResumesInANewProcessToTheUninterruptedLosses() throws Exception {
        Path uninterrupted = dir.resolve("uninterrupted"), run = dir.resolve("run");
        // the uninterrupted run takes the same Spark path (the single-process path differs in the last float bits,
        // which AdamW's later steps magnify; SparkTrainingTest compares the two paths); it also fills the caches
        driver = train(uninterrupted, "uninterrupted.log");
        assertTrue(driver.waitFor(300, TimeUnit.SECONDS), () -> "the uninterrupted run did not finish: " + read("uninterrupted.log"));
        assertEquals(0, driver.exitValue(), () -> read("uninterrupted.log"));
        List<Double> expected = SparkTrainingTest.losses(uninterrupted);

        driver = train(run, "first.log");
        Path ckpt = run.resolve(TrainingRun.CHECKPOINT), log = run.resolve(TrainingRun.METRICS_LOG);
        int polls = 0;
        boolean killedWhileWriting = false;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            assertTrue(driver.isAlive(), () -> "the driver ended before it was killed: " + read("first.log"));
            assertTrue(System.nanoTime() < end, () -> "no checkpoint after step 2: " + read("first.log"));
            assertTrue(whole(ckpt), "a reader saw a half-written checkpoint");
            polls++;
            // the step-2 checkpoint is on disk and the next one is being written (or step 3 is logged: a write missed)
            boolean stepTwo = Files.exists(ckpt) && Integer.parseInt(Checkpoint.metadata(ckpt).get("step")) >= 2;
            if (stepTwo && (writing(run) || SparkTrainingTest.losses(run).size() >= 3)) {
                killedWhileWriting = writing(run);
                break;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
        driver.destroyForcibly();   // SIGKILL: no shutdown hook, no finally block
        assertTrue(driver.waitFor(30, TimeUnit.SECONDS));
        driver.descendants().forEach(ProcessHandle::destroyForcibly);
        assertTrue(whole(ckpt), "the kill left a half-written checkpoint");
        int stoppedAt = Checkpoint.load(ckpt).step();
        assertTrue(stoppedAt >= 2 && stoppedAt < STEPS, "checkpoint at step " + stoppedAt);
        System.err.printf("SparkDriverKillTest: killed with the checkpoint at step %d, %s, after %d polls%n", stoppedAt,
                killedWhileWriting ? "while the next one was being written" : "after step 3 was logged", polls);

        driver = train(run, "resume.log", "--resume");
        assertTrue(driver.waitFor(300, TimeUnit.SECONDS), () -> "resume did not finish: " + read("resume.log"));
        assertEquals(0, driver.exitValue(), () -> read("resume.log"));
        assertTrue(read("resume.log").contains("resumed " + run + " at step " + stoppedAt), () -> read("resume.log"));
        assertEquals(expected, SparkTrainingTest.losses(run), "the resumed run's losses are the uninterrupted run's, to the last bit");
        for (var r : TrainingRun.readLog(log)) {
            assertTrue(((Number) r.get("seconds_communication")).doubleValue() >= 0, r.toString());
        }
        assertTrue(Math.abs(expected.get(0) - expected.get(STEPS - 1)) > 1e-3, expected.toString());
    }

    private String read(String log) {
        try {
            return Files.readString(dir.resolve(log));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
