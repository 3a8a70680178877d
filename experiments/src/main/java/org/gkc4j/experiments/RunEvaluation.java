package org.gkc4j.experiments;

import org.gkc4j.eval.SemSegMetrics;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What a run does after training: scores the trained weights and writes metrics, tables and pictures under the run folder. */
interface RunEvaluation {
    SemSegMetrics evaluate(RunConfig cfg, Path out, ClipResources clip, Map<String, INDArray> weights, List<String> trainClasses,
                           double imagesPerSecond, double trainSeconds) throws IOException;

    /** The synthetic world's test scenes, or the validation split of {@code evaluation.dataset} (default: the training dataset). */
    static RunEvaluation of(RunConfig cfg) {
        if (cfg.data().dataset().equals("synthetic")) {
            return new SyntheticEvaluation(SyntheticBenchmark.of(cfg.data()));
        }
        return new DatasetRunEvaluation();
    }
}
