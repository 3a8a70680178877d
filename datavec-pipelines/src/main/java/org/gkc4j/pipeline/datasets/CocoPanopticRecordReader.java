package org.gkc4j.pipeline.datasets;

import org.gkc4j.GkcException;
import org.gkc4j.io.ImageFiles;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads COCO panoptic samples. Each location of the input split is a panoptic PNG (as {@link CocoPanopticDataset#inputSplit()}
 * lists them in JSON order, or a {@code FileSplit} over the PNG folder); its annotation is found by file name, its
 * image in the image folder by the JSON's {@code images[].file_name}. Segments keep JSON order; pixels of id 0 and of
 * ids the annotation does not list are void (the latter reported as dropped segments).
 */
public final class CocoPanopticRecordReader extends SampleRecordReader {
    private final transient CocoPanopticDataset dataset;
    private final transient CocoPanopticIndex.Damage damage;

    public CocoPanopticRecordReader(CocoPanopticDataset dataset, LoadOptions options, LoadReport report) {
        super(options, report);
        this.dataset = dataset;
        this.damage = new CocoPanopticIndex.Damage(options, report);
    }

    @Override
    public List<String> getLabels() {
        return dataset.index().classNames();
    }

    @Override
    protected SegmentationSample load(URI location) {
        Path png = Path.of(location);
        String fileName = png.getFileName().toString();
        CocoPanopticIndex index = dataset.index();
        CocoPanopticIndex.Annotation ann = index.annotation(fileName);
        if (ann == null) {
            if (index.wasRejected(fileName)) {
                return null;
            }
            throw GkcException.of("panoptic PNG %s has no annotation in %s", png, index.source());
        }
        CocoPanopticIndex.ImageInfo info = index.image(ann.imageId());
        PanopticPng.Decoded d = PanopticPng.decode(png, ann.segments(), options.maxImagePixels());
        if (d.width() != info.width() || d.height() != info.height()) {
            throw GkcException.of("panoptic PNG %s is %dx%d but the JSON says %dx%d", png, d.width(), d.height(), info.width(), info.height());
        }
        Path imageFile = dataset.imageDir().resolve(info.fileName());
        RgbImage image = RgbImage.fromBufferedImage(ImageFiles.read(imageFile, options.maxImagePixels()));
        if (image.width() != d.width() || image.height() != d.height()) {
            throw GkcException.of("image %s is %dx%d but its panoptic PNG %dx%d", imageFile, image.width(), image.height(), d.width(), d.height());
        }
        if (!d.unknownIds().isEmpty()) {
            damage.dropSegments(d.unknownIds().size(), d.unknownPixels(), String.format("panoptic PNG %s holds segment ids the JSON does not list: %s; their pixels are void",
                    png, PanopticPng.describe(d.unknownIds())));
        }
        List<Segment> segments = new ArrayList<>(ann.segments().size());
        for (CocoPanopticIndex.SegmentInfo s : ann.segments()) {
            segments.add(new Segment(s.id(), s.categoryIndex(), s.crowd()));
        }
        return new SegmentationSample(ann.stem(), image, d.segmentMap(), segments, dataset.captions().of(ann.imageId()));
    }
}
