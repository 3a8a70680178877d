package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.pipeline.SampleSource;

import java.util.List;
import java.util.Map;

/**
 * Where a run's training samples come from, with the vocabulary their labels index and the synonym candidates text
 * diversification samples from. The synthetic world and every dataset with training labels are implementations; the
 * training path after this point is the same for all of them.
 */
public interface TrainingData {
    /** The training split; segment class indices index {@link #classes()}. */
    SampleSource train();

    /** The training vocabulary as the text tower reads it. */
    List<String> classes();

    /** Synonym candidates keyed by the names of {@link #classes()} (a class without candidates keeps its own name). */
    Map<String, List<String>> synonyms();

    /**
     * What the training split is, by content (annotation digests, sizes, seeds): part of every cache key computed from
     * the training images, so a changed dataset never reuses another's cache.
     */
    String contentKey();

    /** The training data a run config names ({@code data.dataset}). */
    static TrainingData of(RunConfig cfg) {
        String dataset = cfg.data().dataset();
        if (dataset.equals("synthetic")) {
            return new SyntheticTrainingData(SyntheticBenchmark.of(cfg.data()), cfg.data());
        }
        if (cfg.data().root().isEmpty()) {
            throw GkcException.of("data.root must name the datasets folder for data.dataset '%s' (the $DETECTRON2_DATASETS layout, datavec-pipelines/DATASETS.md)", dataset);
        }
        return DatasetTrainingData.open(cfg);
    }
}
