package org.gkc4j.pipeline.synthetic;

import org.gkc4j.pipeline.SampleSource;
import org.gkc4j.pipeline.SegmentationSample;

/** A fixed-size split of synthetic scenes: sample i is the scene of seed (base + i). */
public final class SyntheticSource implements SampleSource {
    private final SceneGenerator generator;
    private final long base;
    private final int size;
    private final SceneGenerator.Split split;

    public SyntheticSource(SceneGenerator generator, long base, int size, SceneGenerator.Split split) {
        this.generator = generator;
        this.base = base;
        this.size = size;
        this.split = split;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public SegmentationSample get(int index) {
        return generator.scene(base + index, split);
    }

    @Override
    public String name() {
        return "synthetic-" + split.name().toLowerCase() + "@" + base;
    }
}
