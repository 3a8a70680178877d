package org.gkc4j.pipeline.datasets;

import org.gkc4j.GkcException;
import org.gkc4j.io.ImageFiles;
import org.gkc4j.io.LabelMap;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.SegmentationSample;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a {@link SemanticDataset}: each location of the input split is a label file of the dataset's layout; its
 * image is found by the layout's naming rule. The label map is converted by the dataset's {@link LabelEncoding} and
 * carried as a {@link SegmentationSample} with one segment per class present (see {@link SemanticSample}).
 */
public final class SemanticRecordReader extends SampleRecordReader {
    private final transient SemanticDataset dataset;
    private final transient Path root;
    private final transient Split split;

    public SemanticRecordReader(SemanticDataset dataset, Path root, Split split, LoadOptions options, LoadReport report) {
        super(options, report);
        this.dataset = dataset;
        this.root = root;
        this.split = split;
    }

    @Override
    public List<String> getLabels() {
        return dataset.classNames().names();
    }

    @Override
    protected SegmentationSample load(URI location) {
        Path labelFile = Path.of(location);
        Path imageFile = dataset.layout().imageFor(root, split, labelFile);
        LabelMap raw = LabelMap.read(labelFile, options.maxImagePixels());
        int[] labels = dataset.encoding().encode(raw, labelFile);
        RgbImage image = RgbImage.fromBufferedImage(ImageFiles.read(imageFile, options.maxImagePixels()));
        if (image.width() != raw.width() || image.height() != raw.height()) {
            throw GkcException.of("image %s is %dx%d but its label map %s is %dx%d", imageFile, image.width(), image.height(),
                    labelFile, raw.width(), raw.height());
        }
        return new SemanticSample(dataset.layout().idOf(labelFile), image, labels, dataset.ignoreLabel()).toSegmentationSample();
    }
}
