package org.gkc4j.experiments;

import org.gkc4j.eval.SemSegMetrics;

import java.nio.file.Path;

/** Where a study's runs go: this machine ({@link RunLauncher}) or Spark tasks ({@link org.gkc4j.experiments.spark.SparkStudyLauncher}). */
public interface StudyLauncher extends AutoCloseable {
    /** Trains and evaluates one run in {@code dir} (resuming it when it was interrupted) and returns its metrics. */
    SemSegMetrics run(RunConfig cfg, Path dir) throws Exception;

    /** How many runs may go at once (each call to {@link #run} from its own thread). */
    default int parallelism() {
        return 1;
    }

    @Override
    default void close() {
    }
}
