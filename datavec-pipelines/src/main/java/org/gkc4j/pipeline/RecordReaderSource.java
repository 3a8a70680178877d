package org.gkc4j.pipeline;

import org.datavec.api.split.InputSplit;
import org.gkc4j.pipeline.datasets.SampleRecordReader;
import org.gkc4j.pipeline.datasets.SampleRecords;

import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Random access over a DataVec {@link SampleRecordReader} and its {@link InputSplit}: sample i is read from the
 * split's i-th location. Training takes the decoded sample directly; the reader's record form (the DataVec
 * {@code Writable}s of {@link SampleRecords}) stays what outside DataVec consumers see.
 */
public final class RecordReaderSource implements SampleSource {
    private final SampleRecordReader reader;
    private final List<URI> locations = new ArrayList<>();
    private final String name;

    public RecordReaderSource(SampleRecordReader reader, InputSplit split, String name) {
        this.reader = reader;
        this.name = name;
        for (Iterator<URI> it = split.locationsIterator(); it.hasNext(); ) {
            locations.add(it.next());
        }
    }

    @Override
    public int size() {
        return locations.size();
    }

    @Override
    public SegmentationSample get(int index) {
        return reader.read(locations.get(index));
    }

    @Override
    public String name() {
        return name;
    }
}
