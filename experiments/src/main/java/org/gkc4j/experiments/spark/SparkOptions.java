package org.gkc4j.experiments.spark;

/**
 * Where a run's work goes: the Spark master ({@code local[N]}, {@code spark://host:port}, {@code yarn},
 * {@code k8s://...}), the number of workers a training step is split over (0: Spark's default parallelism) and how
 * their gradients are summed.
 */
public record SparkOptions(String master, int workers, AllReduce allReduce) {
    /** How a step's gradients are summed ({@code docs/cluster.md}, cost model). */
    public enum AllReduce {
        /** Spark's {@code treeAggregate}: every task returns its gradient, partial sums travel to the driver. */
        TREE,
        /** A barrier stage whose tasks sum their gradients around a ring of sockets; only task 0 returns the sum. */
        RING
    }

    public SparkOptions(String master, int workers) {
        this(master, workers, AllReduce.TREE);
    }

    public SparkOptions {
        if (allReduce == null) {
            allReduce = AllReduce.TREE;
        }
    }
}
