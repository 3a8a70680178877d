package org.gkc4j.experiments.spark;

import org.apache.spark.broadcast.Broadcast;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * What an executor needs to build its replica of the training graph, once per run: the resolved run config (YAML,
 * file paths absolute), the training vocabulary, the teacher's width, the shard's batch size and the starting state
 * (a broadcast, so it crosses the network once per executor, not once per task).
 */
public record ReplicaSpec(String runId, String configYaml, List<String> classes, int teacherDim, int shardBatch,
                          Broadcast<LinkedHashMap<String, Tensors.Packed>> initialState) implements Serializable {
}
