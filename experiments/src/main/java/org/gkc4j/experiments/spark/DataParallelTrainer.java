package org.gkc4j.experiments.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.gkc4j.GkcException;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.train.Trainer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Synchronous data parallelism on Spark. Every step the whole batch is cut into one shard of consecutive images per
 * worker; the driver broadcasts the weights; a first job feeds each shard (forward pass, matching, every random draw
 * from its images' own generators) and returns its loss terms' counts; their sums are the whole batch's normalisers;
 * a second job computes each shard's gradients at those normalisers and adds them, by Spark's tree aggregation or, as
 * a barrier stage, by a ring all-reduce between its tasks ({@link SparkOptions.AllReduce}); the driver applies the
 * AdamW step to its own copy and checkpoints as a single process does.
 * <p>
 * Why the driver updates and broadcasts weights instead of every replica updating its own: the bytes are the same
 * (a sum down instead of weights down), and tasks stay stateless, so Spark can rerun a lost task on any executor,
 * a fresh one included, without recovering optimiser state.
 */
public final class DataParallelTrainer implements AutoCloseable {
    /** A shard's gradients (flat, in parameter order), loss terms and compute seconds; added up by tree aggregation. */
    record Part(float[] grads, java.util.BitSet present, double loss, Map<String, Double> terms, Map<String, Double> phases,
                double computeSeconds) implements Serializable {
        static Part add(Part a, Part b) {
            if (a.grads == null) {
                return b;
            }
            if (b.grads == null) {
                return a;
            }
            float[] g = a.grads.clone();
            for (int i = 0; i < g.length; i++) {
                g[i] += b.grads[i];
            }
            Map<String, Double> t = new LinkedHashMap<>(a.terms), ph = new LinkedHashMap<>(a.phases);
            b.terms.forEach((k, v) -> t.merge(k, v, Double::sum));
            b.phases.forEach((k, v) -> ph.merge(k, v, Math::max));   // shards run side by side: the slowest is the step's
            java.util.BitSet present = (java.util.BitSet) a.present.clone();
            present.or(b.present);
            return new Part(g, present, a.loss + b.loss, t, ph, Math.max(a.computeSeconds, b.computeSeconds));
        }
    }

    /** A shard's counts per micro-batch and compute seconds of the first pass. */
    record Counts(List<Map<String, Double>> perMicro, double computeSeconds) implements Serializable {
    }

    private final JavaSparkContext sc;
    private final Trainer driver;
    private final ReplicaSpec spec;
    private final int workers;
    private final SparkOptions.AllReduce allReduce;
    private final LinkedHashMap<String, long[]> shapes = new LinkedHashMap<>();

    /**
     * @param driver  the driver's trainer over the whole batch: it holds the weights and the optimiser and checkpoints
     * @param workers shards per step; must divide the batch size
     */
    public DataParallelTrainer(JavaSparkContext sc, Trainer driver, String configYaml, List<String> classes, int teacherDim, int workers) {
        this(sc, driver, configYaml, classes, teacherDim, workers, SparkOptions.AllReduce.TREE);
    }

    /** @param allReduce how the shards' gradients are summed */
    public DataParallelTrainer(JavaSparkContext sc, Trainer driver, String configYaml, List<String> classes, int teacherDim, int workers,
                               SparkOptions.AllReduce allReduce) {
        int batch = driver.config().batchSize();
        if (workers < 1 || batch % workers != 0) {
            throw GkcException.of("train.batchSize (%d) must be a multiple of the number of Spark workers (%d)", batch, workers);
        }
        this.sc = sc;
        this.driver = driver;
        this.workers = workers;
        this.allReduce = allReduce;
        Map<String, INDArray> state = driver.stateDict();
        Broadcast<LinkedHashMap<String, Tensors.Packed>> init = sc.broadcast(Tensors.pack(state));
        this.spec = new ReplicaSpec(UUID.randomUUID().toString(), configYaml, List.copyOf(classes), teacherDim, batch / workers, init);
        for (String p : driver.parameterNames()) {
            shapes.put(p, driver.sameDiff().getArrForVarName(p).shape());
        }
    }

    public int workers() {
        return workers;
    }

    /** One optimisation step over the micro-batches of the whole batch; its phases add "communication" seconds. */
    public Trainer.StepResult train(List<TrainingBatch> micro) {
        long start = System.nanoTime();
        int step = driver.step(), micros = micro.size();
        List<Shard> shards = Shard.split(micro, workers);
        Broadcast<float[]> weights = sc.broadcast(Tensors.flatten(driver.parameterNames(), params()));
        ReplicaSpec s = spec;
        LinkedHashMap<String, long[]> sh = shapes;
        try {
            JavaRDD<Shard> rdd = sc.parallelize(shards, workers);
            List<Counts> counts = rdd.map(x -> feed(s, sh, x, step, weights.value())).collect();
            List<Map<String, Double>> global = new ArrayList<>();
            for (int mi = 0; mi < micros; mi++) {
                Map<String, Double> g = new HashMap<>();
                for (Counts c : counts) {
                    c.perMicro().get(mi).forEach((k, v) -> g.merge(k, v, Double::sum));
                }
                global.add(g);
            }
            Part zero = new Part(null, new java.util.BitSet(), 0, Map.of(), Map.of(), 0);
            Part sum = allReduce == SparkOptions.AllReduce.RING
                    ? RingStep.run(rdd, new RingStep(s, sh, step, weights, global, micros))
                    : rdd.map(x -> gradients(s, sh, x, step, weights.value(), global, micros)).treeAggregate(zero, Part::add, Part::add);
            double compute = sum.computeSeconds() + counts.stream().mapToDouble(Counts::computeSeconds).max().orElse(0);
            Map<String, INDArray> grads = Tensors.unflatten(sum.grads(), driver.parameterNames(), shapes);
            List<String> names = driver.parameterNames();
            for (int i = 0; i < names.size(); i++) {
                if (!sum.present().get(i)) {
                    grads.remove(names.get(i));   // as in one process: a parameter without a gradient is not updated
                }
            }
            double beforeUpdate = (System.nanoTime() - start) / 1e9;
            Map<String, Double> phases = new LinkedHashMap<>(sum.phases());
            Trainer.StepResult r = driver.apply(new Trainer.Gradients(grads, sum.loss(), sum.terms(), phases), start);
            Map<String, Double> ph = new LinkedHashMap<>(r.phaseSeconds());
            ph.put("communication", Math.max(0, beforeUpdate - compute));
            ph.put("update", Math.max(0, r.seconds() - beforeUpdate));
            return new Trainer.StepResult(r.step(), r.loss(), r.terms(), r.gradNorm(), r.lr(), r.seconds(), ph);
        } finally {
            weights.destroy();
        }
    }

    private Map<String, INDArray> params() {
        Map<String, INDArray> m = new HashMap<>();
        for (String p : driver.parameterNames()) {
            m.put(p, driver.sameDiff().getArrForVarName(p));
        }
        return m;
    }

    private static Counts feed(ReplicaSpec spec, Map<String, long[]> shapes, Shard shard, int step, float[] weights) {
        long t0 = System.nanoTime();
        Replicas.forgetBefore(spec, step);
        Replicas.Replica r = Replicas.borrow(spec);
        try {
            Replicas.load(r, step, weights, shapes);
            List<Map<String, Double>> perMicro = new ArrayList<>();
            for (int mi = 0; mi < shard.micros().size(); mi++) {
                Shard.Part p = shard.micros().get(mi);
                Trainer.Fed fed = r.trainer.feed(p.batch(), mi, p.first());
                Replicas.keep(Replicas.key(spec, step, mi, p.first()), fed);
                perMicro.add(new HashMap<>(fed.prepared().counts()));
            }
            return new Counts(perMicro, (System.nanoTime() - t0) / 1e9);
        } finally {
            Replicas.release(spec, r);
        }
    }

    static Part gradients(ReplicaSpec spec, Map<String, long[]> shapes, Shard shard, int step, float[] weights,
                                  List<Map<String, Double>> global, int micros) {
        long t0 = System.nanoTime();
        Replicas.Replica r = Replicas.borrow(spec);
        try {
            Replicas.load(r, step, weights, shapes);
            Trainer.Gradients total = null;
            for (int mi = 0; mi < shard.micros().size(); mi++) {
                Shard.Part p = shard.micros().get(mi);
                Trainer.Fed fed = Replicas.take(Replicas.key(spec, step, mi, p.first()));
                if (fed == null) {
                    fed = r.trainer.feed(p.batch(), mi, p.first());
                }
                total = Trainer.sum(total, r.trainer.gradients(fed, global.get(mi), micros));
            }
            List<String> names = r.trainer.parameterNames();
            java.util.BitSet present = new java.util.BitSet();
            Map<String, INDArray> grads = new HashMap<>(total.grads());
            for (int i = 0; i < names.size(); i++) {
                if (grads.containsKey(names.get(i))) {
                    present.set(i);
                } else {
                    grads.put(names.get(i), r.trainer.sameDiff().getArrForVarName(names.get(i)).ulike().assign(0));
                }
            }
            float[] flat = Tensors.flatten(names, grads);
            return new Part(flat, present, total.loss(), total.terms(), total.phaseSeconds(), (System.nanoTime() - t0) / 1e9);
        } finally {
            Replicas.release(spec, r);
        }
    }

    @Override
    public void close() {
        spec.initialState().destroy();
    }
}
