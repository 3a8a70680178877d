package org.gkc4j.experiments.spark;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.experiments.ClipResources;
import org.gkc4j.experiments.RunConfig;
import org.gkc4j.experiments.TrainingSetup;
import org.gkc4j.train.TrainConfig;
import org.gkc4j.train.Trainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The executor side: replicas of the training graph, built once per run and executor and reused by its tasks (one
 * replica per concurrently running task, since a graph serves one pass at a time), and the fed micro-batches that
 * wait between a step's two passes. Everything here is a cache: a task that finds nothing (a new or restarted
 * executor) builds or recomputes it from what the task carries, so Spark may run any task anywhere, again.
 */
final class Replicas {
    /** A graph and the step whose weights it holds. */
    static final class Replica {
        final Trainer trainer;
        int loadedStep = -1;

        Replica(Trainer trainer) {
            this.trainer = trainer;
        }
    }

    private static final Map<String, ConcurrentLinkedQueue<Replica>> FREE = new ConcurrentHashMap<>();
    private static final Map<String, Trainer.Fed> FED = new ConcurrentHashMap<>();

    private Replicas() {
    }

    static Replica borrow(ReplicaSpec spec) {
        Replica r = FREE.computeIfAbsent(spec.runId(), k -> new ConcurrentLinkedQueue<>()).poll();
        return r != null ? r : new Replica(build(spec));
    }

    static void release(ReplicaSpec spec, Replica r) {
        FREE.get(spec.runId()).add(r);
    }

    /** Brings a replica to the weights of {@code step} (a no-op when it holds them). */
    static void load(Replica r, int step, float[] weights, Map<String, long[]> shapes) {
        if (r.loadedStep != step) {
            r.trainer.setParameters(Tensors.unflatten(weights, r.trainer.parameterNames(), shapes), step);
            r.loadedStep = step;
        }
    }

    static String key(ReplicaSpec spec, int step, int micro, long first) {
        return spec.runId() + "/" + step + "/" + micro + "/" + first;
    }

    static void keep(String key, Trainer.Fed fed) {
        FED.put(key, fed);
    }

    /** The fed micro-batch of the first pass, or null when this executor did not run it (it is recomputed). */
    static Trainer.Fed take(String key) {
        return FED.remove(key);
    }

    /** Forgets fed micro-batches of earlier steps (left by a first pass whose second ran elsewhere). */
    static void forgetBefore(ReplicaSpec spec, int step) {
        FED.keySet().removeIf(k -> {
            String[] p = k.split("/");
            return p[0].equals(spec.runId()) && Integer.parseInt(p[1]) < step;
        });
    }

    private static Trainer build(ReplicaSpec spec) {
        try {
            Path tmp = Files.createTempFile("gkc-replica", ".yaml");
            Files.writeString(tmp, spec.configYaml());
            RunConfig cfg = Configs.load(RunConfig.class, RunConfig.defaults(), tmp, List.of());
            Files.deleteIfExists(tmp);
            ClipResources clip = ClipResources.open(cfg);
            TrainConfig t = cfg.train();
            TrainConfig shard = new TrainConfig(t.iterations(), spec.shardBatch(), t.accumulate(), t.lr(), t.weightDecay(), t.backboneLrMultiplier(),
                    t.gradClip(), t.schedule(), t.warmupIters(), t.warmupFactor(), t.stepsFraction(), t.gamma(), t.polyPower(),
                    t.checkpointEvery(), t.logEvery(), t.seed());
            Map<String, INDArray> init = Tensors.unpack(spec.initialState().value());
            int size = cfg.data().imageSize();
            return new Trainer(cfg.model(), cfg.criterion(), shard, TrainingSetup.terms(cfg, spec.classes(), clip.embedder(), spec.teacherDim()),
                    init, clip.embed(spec.classes()), size, size, DataType.FLOAT);
        } catch (GkcException e) {
            throw e;
        } catch (Exception e) {
            throw new GkcException("cannot build the training graph on an executor: " + e, e);
        }
    }
}
