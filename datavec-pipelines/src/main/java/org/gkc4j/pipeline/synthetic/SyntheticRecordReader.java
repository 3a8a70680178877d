package org.gkc4j.pipeline.synthetic;

import org.datavec.api.split.CollectionInputSplit;
import org.datavec.api.split.InputSplit;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.datasets.SampleRecordReader;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A DataVec record reader of synthetic scenes: location {@code synthetic:/seen/123} renders the scene of seed 123
 * with seen classes only ({@code synthetic:/all/123} with every class).
 */
public final class SyntheticRecordReader extends SampleRecordReader {
    private final transient SceneGenerator generator;

    public SyntheticRecordReader(SceneGenerator generator) {
        super(LoadOptions.skipDamaged(), LoadReport.quiet());
        this.generator = generator;
    }

    /** The split of {@code count} scenes starting at seed {@code base}. */
    public static InputSplit split(long base, int count, SceneGenerator.Split split) {
        List<URI> uris = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            uris.add(URI.create("synthetic:/" + split.name().toLowerCase() + "/" + (base + i)));
        }
        return new CollectionInputSplit(uris);
    }

    @Override
    public List<String> getLabels() {
        return generator.world().classNames();
    }

    @Override
    protected SegmentationSample load(URI location) {
        String[] parts = location.getPath().split("/");   // "/seen/123"
        SceneGenerator.Split split = SceneGenerator.Split.valueOf(parts[1].toUpperCase());
        return generator.scene(Long.parseLong(parts[2]), split);
    }
}
