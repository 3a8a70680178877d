package org.gkc4j.experiments.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The communication of one data-parallel step without the model: weights of {@code n} floats broadcast, a first job
 * returning a few numbers per worker (the normalisers' counts), a second returning {@code n} floats per worker added
 * by tree aggregation ({@code tree}) or summed by a ring all-reduce in a barrier stage that returns one sum
 * ({@code ring}, {@link RingStep}'s pattern); median wall seconds over repeats. Arguments: master, workers, optionally
 * {@code tree} (the default) or {@code ring}, then parameter counts.
 * <pre>java $SPARK_OPENS -cp 'experiments/target/gkc-cli.jar:experiments/target/lib/*' org.gkc4j.experiments.spark.CommunicationBench 'local[2]' 2 ring 1000000 47000000</pre>
 */
public final class CommunicationBench {
    private CommunicationBench() {
    }

    public static void main(String[] args) {
        run(args);
        System.exit(0);   // a barrier stage leaves Spark's non-daemon barrier timer thread behind
    }

    private static void run(String[] args) {
        String master = args[0];
        int workers = Integer.parseInt(args[1]);
        int repeats = 7;
        boolean ring = args[2].equals("ring");
        int first = args[2].equals("ring") || args[2].equals("tree") ? 3 : 2;
        try (JavaSparkContext sc = SparkContexts.open(master, "gkc4j communication bench")) {
            System.out.println("mode,parameters,MB,workers,median_seconds,min_seconds");
            for (int a = first; a < args.length; a++) {
                int n = Integer.parseInt(args[a]);
                float[] weights = new float[n];
                Arrays.fill(weights, 1f);
                List<Integer> shards = new ArrayList<>();
                for (int s = 0; s < workers; s++) {
                    shards.add(s);
                }
                double[] t = new double[repeats + 1];
                for (int r = 0; r <= repeats; r++) {   // the first is a warm-up
                    long t0 = System.nanoTime();
                    Broadcast<float[]> bc = sc.broadcast(weights);
                    sc.parallelize(shards, workers).map(s -> new double[]{bc.value().length, s}).collect();
                    float[] sum = ring ? ring(sc, shards, workers, bc) : sc.parallelize(shards, workers).map(s -> {
                        float[] w = bc.value();
                        float[] g = new float[w.length];
                        g[s] = w[s];
                        return g;
                    }).treeAggregate(new float[0], CommunicationBench::add, CommunicationBench::add);
                    t[r] = (System.nanoTime() - t0) / 1e9;
                    bc.destroy();
                    if (sum.length != n) {
                        throw new IllegalStateException("sum of " + sum.length + " values");
                    }
                }
                double[] m = Arrays.copyOfRange(t, 1, t.length);
                Arrays.sort(m);
                System.out.printf("%s,%d,%.1f,%d,%.4f,%.4f%n", ring ? "ring" : "tree", n, n * 4 / 1e6, workers, m[m.length / 2], m[0]);
            }
        }
    }

    /** The gradient pass as {@link RingStep} runs it: a barrier stage, an address exchange, the ring, one sum back. */
    private static float[] ring(JavaSparkContext sc, List<Integer> shards, int workers, Broadcast<float[]> bc) {
        scala.Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<float[]>> task =
                (scala.Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<float[]>> & java.io.Serializable) it -> {
                    org.apache.spark.BarrierTaskContext ctx = org.apache.spark.BarrierTaskContext.get();
                    int s = it.next();
                    float[] w = bc.value();
                    float[] g = new float[w.length];
                    g[s] = w[s];
                    java.net.ServerSocket server = RingAllReduce.listen();
                    String host = org.apache.spark.SparkEnv.get().blockManager().blockManagerId().host();
                    RingAllReduce.sum(g, ctx.partitionId(), List.of(ctx.allGather(host + ":" + server.getLocalPort())), server, RingStep.TIMEOUT_MILLIS);
                    return scala.jdk.javaapi.CollectionConverters.asScala(List.of(ctx.partitionId() == 0 ? g : new float[0]).iterator());
                };
        List<float[]> out = sc.parallelize(shards, workers).rdd().barrier()
                .mapPartitions(task, false, scala.reflect.ClassTag$.MODULE$.apply(float[].class)).toJavaRDD().collect();
        return out.stream().filter(x -> x.length > 0 || out.size() == 1).findFirst().orElseThrow();
    }

    private static float[] add(float[] a, float[] b) {
        if (a.length == 0) {
            return b;
        }
        if (b.length == 0) {
            return a;
        }
        float[] c = a.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] += b[i];
        }
        return c;
    }
}
