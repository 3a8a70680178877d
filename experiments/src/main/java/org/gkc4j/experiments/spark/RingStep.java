package org.gkc4j.experiments.spark;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.gkc4j.GkcException;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

import java.io.Serializable;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gradient pass of a data-parallel step as a Spark barrier stage: Spark starts the shards' tasks together (and
 * reruns them together when one fails); each computes its shard's gradient, opens a socket, learns the others'
 * addresses through {@link BarrierTaskContext#allGather} and sums the gradients around the ring
 * ({@link RingAllReduce}). Every task returns its scalars (loss terms, compute seconds: a few numbers), task 0 alone
 * the summed gradient, so the driver receives one gradient instead of one per worker.
 */
final class RingStep extends scala.runtime.AbstractFunction1<Iterator<Shard>, Iterator<DataParallelTrainer.Part>> implements Serializable {
    /** How long a task waits for a peer's connection or data once every peer has its gradient (the barrier). */
    static final int TIMEOUT_MILLIS = Integer.getInteger("gkc.ring.timeoutMillis", 120_000);

    private final ReplicaSpec spec;
    private final LinkedHashMap<String, long[]> shapes;
    private final int step;
    private final Broadcast<float[]> weights;
    private final List<Map<String, Double>> global;
    private final int micros;

    RingStep(ReplicaSpec spec, LinkedHashMap<String, long[]> shapes, int step, Broadcast<float[]> weights,
             List<Map<String, Double>> global, int micros) {
        this.spec = spec;
        this.shapes = shapes;
        this.step = step;
        this.weights = weights;
        this.global = global;
        this.micros = micros;
    }

    /** Runs the stage over {@code shards} and combines the tasks' results on the driver. */
    static DataParallelTrainer.Part run(JavaRDD<Shard> shards, RingStep task) {
        List<DataParallelTrainer.Part> parts = shards.rdd().barrier()
                .mapPartitions(task, false, ClassTag$.MODULE$.apply(DataParallelTrainer.Part.class))
                .toJavaRDD().collect();
        float[] sum = null;
        BitSet present = new BitSet();
        double loss = 0, compute = 0;
        Map<String, Double> terms = new LinkedHashMap<>(), phases = new LinkedHashMap<>();
        for (DataParallelTrainer.Part p : parts) {
            if (p.grads() != null) {
                sum = p.grads();
            }
            present.or(p.present());
            loss += p.loss();
            p.terms().forEach((k, v) -> terms.merge(k, v, Double::sum));
            p.phases().forEach((k, v) -> phases.merge(k, v, Math::max));   // shards run side by side
            compute = Math.max(compute, p.computeSeconds());
        }
        if (sum == null) {
            throw new GkcException("ring all-reduce: no task returned the summed gradient");
        }
        return new DataParallelTrainer.Part(sum, present, loss, terms, phases, compute);
    }

    @Override
    public Iterator<DataParallelTrainer.Part> apply(Iterator<Shard> it) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        List<DataParallelTrainer.Part> out = new ArrayList<>();
        while (it.hasNext()) {
            Shard shard = it.next();
            DataParallelTrainer.Part p = DataParallelTrainer.gradients(spec, shapes, shard, step, weights.value(), global, micros);
            ServerSocket server = RingAllReduce.listen();
            String host = SparkEnv.get().blockManager().blockManagerId().host();
            List<String> peers = List.of(ctx.allGather(host + ":" + server.getLocalPort()));
            int rank = ctx.partitionId();
            RingAllReduce.sum(p.grads(), rank, peers, server, TIMEOUT_MILLIS);
            out.add(new DataParallelTrainer.Part(rank == 0 ? p.grads() : null, p.present(), p.loss(), p.terms(), p.phases(), p.computeSeconds()));
        }
        return CollectionConverters.asScala(out.iterator());
    }
}
