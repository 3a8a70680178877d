package org.gkc4j.cli;

import org.gkc4j.config.Configs;
import org.gkc4j.experiments.RunConfig;
import org.gkc4j.experiments.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train GKC from a run config (configs/*.yaml); --resume continues an interrupted run exactly where it stopped.")
public final class TrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Option(names = "--config", required = true, description = "Run config (YAML; _base_ inheritance).")
    Path config;
    @Mixin
    RunFolderOptions run;
    @Option(names = "--spark", paramLabel = "MASTER", description = "Train data-parallel on Spark: local[N] (embedded, no cluster), spark://host:7077, yarn, k8s://... (README, 'Training on a cluster').")
    String spark;
    @Option(names = "--spark-workers", paramLabel = "N", description = "Shards per step (a divisor of train.batchSize); default: Spark's default parallelism.")
    int sparkWorkers;
    @Option(names = "--spark-allreduce", paramLabel = "tree|ring", defaultValue = "tree",
            description = "How the workers' gradients are summed: Spark's tree aggregation (default) or a ring all-reduce between barrier tasks over sockets (docs/cluster.md).")
    org.gkc4j.experiments.spark.SparkOptions.AllReduce sparkAllReduce;

    @Override
    public Integer call() throws Exception {
        RunConfig cfg = Configs.load(RunConfig.class, RunConfig.defaults(), config, run.overrides);
        TrainingRun.run(cfg, run.out, run.resume, spark == null ? null : new org.gkc4j.experiments.spark.SparkOptions(spark, sparkWorkers, sparkAllReduce));
        return 0;
    }
}
