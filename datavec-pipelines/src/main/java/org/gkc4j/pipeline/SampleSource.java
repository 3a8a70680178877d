package org.gkc4j.pipeline;

/** An indexable collection of samples (a dataset split); {@link #get} may throw for a damaged sample. */
public interface SampleSource {
    int size();

    SegmentationSample get(int index);

    String name();
}
