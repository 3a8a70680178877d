package org.gkc4j.experiments;

import org.gkc4j.pipeline.SampleSource;

import java.util.List;
import java.util.Map;

/** The built-in world's training scenes: seen classes only, the world's own synonym table standing in for WordNet. */
final class SyntheticTrainingData implements TrainingData {
    private final SyntheticBenchmark bench;
    private final RunConfig.Data data;
    private final SampleSource train;

    SyntheticTrainingData(SyntheticBenchmark bench, RunConfig.Data data) {
        this.bench = bench;
        this.data = data;
        this.train = bench.train(data.trainImages(), data.seed());
    }

    @Override
    public SampleSource train() {
        return train;
    }

    @Override
    public List<String> classes() {
        return bench.trainClasses();
    }

    @Override
    public Map<String, List<String>> synonyms() {
        return bench.synonyms();
    }

    @Override
    public String contentKey() {
        return "synthetic-" + bench.world().layout().cacheKey() + "-" + data.imageSize() + "-" + data.trainImages() + "-" + data.seed();
    }
}
