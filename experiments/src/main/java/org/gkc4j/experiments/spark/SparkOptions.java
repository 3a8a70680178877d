package org.gkc4j.experiments.spark;

/**
 * Where a run's work goes: the Spark master ({@code local[N]}, {@code spark://host:port}, {@code yarn},
 * {@code k8s://...}) and the number of workers a training step is split over (0: Spark's default parallelism).
 */
public record SparkOptions(String master, int workers) {
}
