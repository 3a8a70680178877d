package org.gkc4j.pipeline.datasets;

import org.datavec.api.conf.Configuration;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.records.metadata.RecordMetaDataURI;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.Writable;
import org.gkc4j.GkcException;
import org.gkc4j.pipeline.SegmentationSample;

import java.io.DataInputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A DataVec reader of {@link SegmentationSample}s, one per location of its {@link InputSplit}, encoded by
 * {@link SampleRecords}. A location whose sample cannot be loaded (any {@link GkcException} from
 * {@link #load(URI)}) is skipped and reported, or ends the run, as {@link LoadOptions} says; {@link #hasNext()}
 * looks ahead past skipped locations so it never promises a record it cannot deliver.
 */
public abstract class SampleRecordReader extends org.datavec.api.records.reader.BaseRecordReader {
    protected final transient LoadOptions options;
    protected final transient LoadReport report;
    private transient Iterator<URI> locations;
    private transient URI pendingUri;
    private transient SegmentationSample pending;
    private Configuration conf;

    protected SampleRecordReader(LoadOptions options, LoadReport report) {
        this.options = options;
        this.report = report;
    }

    /**
     * Loads the sample at {@code location}; throws {@link GkcException} when it is damaged, returns null when it was
     * already reported as damaged elsewhere (e.g. while the annotation file was indexed).
     */
    protected abstract SegmentationSample load(URI location);

    public LoadReport report() {
        return report;
    }

    @Override
    public void initialize(InputSplit split) throws java.io.IOException, InterruptedException {
        super.initialize(split);
        restart();
    }

    @Override
    public void initialize(Configuration conf, InputSplit split) throws java.io.IOException, InterruptedException {
        setConf(conf);
        initialize(split);
    }

    private void restart() {
        locations = inputSplit.locationsIterator();
        pending = null;
        pendingUri = null;
    }

    @Override
    public boolean hasNext() {
        if (locations == null) {
            throw new IllegalStateException("initialize the reader with an InputSplit first");
        }
        while (pending == null && locations.hasNext()) {
            URI uri = locations.next();
            try {
                SegmentationSample s = load(uri);
                if (s != null) {
                    pending = s;
                    pendingUri = uri;
                    report.sampleLoaded();
                }
            } catch (GkcException e) {
                if (options.onDamage() == LoadOptions.OnDamage.FAIL) {
                    throw e;
                }
                report.sampleSkipped(e.getMessage() + "; skipped");
            }
        }
        return pending != null;
    }

    /**
     * The sample at one location of the split (random access, for shuffled training); a damaged or rejected sample
     * is a {@link GkcException}.
     */
    public SegmentationSample read(URI location) {
        SegmentationSample s = load(location);
        if (s == null) {
            throw GkcException.of("%s was rejected when the annotations were read", location);
        }
        return s;
    }

    /** The next sample without the record round trip (what {@link #nextRecord()} encodes). */
    public SegmentationSample nextSample() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more samples");
        }
        SegmentationSample s = pending;
        pending = null;
        return s;
    }

    /** The remaining samples, each through the record round trip (what any DataVec consumer of this reader sees). */
    public Iterator<SegmentationSample> samples() {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return SampleRecordReader.this.hasNext();
            }

            @Override
            public SegmentationSample next() {
                return SampleRecords.decode(SampleRecordReader.this.next());
            }
        };
    }

    @Override
    public List<Writable> next() {
        return nextRecord().getRecord();
    }

    @Override
    public Record nextRecord() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more samples");
        }
        URI uri = pendingUri;
        List<Writable> r = SampleRecords.encode(nextSample());
        invokeListeners(r);
        return new org.datavec.api.records.impl.Record(r, new RecordMetaDataURI(uri, getClass()));
    }

    @Override
    public boolean batchesSupported() {
        return true;
    }

    @Override
    public List<List<Writable>> next(int num) {
        List<List<Writable>> out = new ArrayList<>(num);
        while (out.size() < num && hasNext()) {
            out.add(next());
        }
        return out;
    }

    @Override
    public void reset() {
        if (inputSplit == null) {
            throw new IllegalStateException("initialize the reader with an InputSplit first");
        }
        inputSplit.reset();
        restart();
    }

    @Override
    public boolean resetSupported() {
        return inputSplit == null || inputSplit.resetSupported();
    }

    /** Loads the sample at {@code uri}; the stream is not used, as a sample spans two or more files. */
    @Override
    public List<Writable> record(URI uri, DataInputStream dataInputStream) {
        return SampleRecords.encode(loadOrFail(uri));
    }

    @Override
    public Record loadFromMetaData(RecordMetaData recordMetaData) {
        URI uri = recordMetaData.getURI();
        return new org.datavec.api.records.impl.Record(SampleRecords.encode(loadOrFail(uri)), new RecordMetaDataURI(uri, getClass()));
    }

    @Override
    public List<Record> loadFromMetaData(List<RecordMetaData> list) {
        List<Record> out = new ArrayList<>(list.size());
        for (RecordMetaData m : list) {
            out.add(loadFromMetaData(m));
        }
        return out;
    }

    private SegmentationSample loadOrFail(URI uri) {
        SegmentationSample s = load(uri);
        if (s == null) {
            throw GkcException.of("%s was rejected as damaged when its annotations were indexed", uri);
        }
        return s;
    }

    @Override
    public void close() {
        locations = null;
        pending = null;
    }

    @Override
    public void setConf(Configuration conf) {
        this.conf = conf;
    }

    @Override
    public Configuration getConf() {
        return conf;
    }
}
