package org.gkc4j.pipeline.datasets;

import org.gkc4j.pipeline.SegmentationSample;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads VIPSeg frames as DataVec records. Each location of the input split is a panoptic PNG
 * {@code panomasksRGB/<video>/<frame>.png} (as {@link VipsegDataset#inputSplit()} lists them, or a {@code FileSplit}
 * over the folder); its video is its folder's name. Frames of videos the variant leaves out are passed over
 * silently; a PNG the JSON does not annotate is damage.
 */
public final class VipsegRecordReader extends SampleRecordReader {
    private final transient VipsegDataset dataset;

    public VipsegRecordReader(VipsegDataset dataset, LoadOptions options, LoadReport report) {
        super(options, report);
        this.dataset = dataset;
    }

    @Override
    public List<String> getLabels() {
        return dataset.classNames();
    }

    @Override
    protected SegmentationSample load(URI location) {
        Path png = Path.of(location);
        String video = png.getParent().getFileName().toString();
        if (dataset.leftOut(video)) {
            return null;
        }
        return dataset.frame(video, png.getFileName().toString(), options, report).sample();
    }
}
