package org.gkc4j.pipeline.datasets;

import org.datavec.api.split.CollectionInputSplit;
import org.datavec.api.split.InputSplit;
import org.gkc4j.GkcException;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A COCO panoptic dataset on disk: the panoptic JSON, the folder of panoptic PNGs, the image folder and, optionally,
 * a COCO captions JSON. detectron2's layout for COCO 2017 (under {@code $DETECTRON2_DATASETS}):
 * <pre>
 * coco/{train2017,val2017}/*.jpg
 * coco/panoptic_{train2017,val2017}/*.png
 * coco/annotations/panoptic_{train2017,val2017}.json
 * coco/annotations/captions_{train2017,val2017}.json   (optional)
 * </pre>
 * The class index of a segment is its category's position in the JSON's {@code categories} (0..132 for COCO).
 */
public final class CocoPanopticDataset {
    private final CocoPanopticIndex index;
    private final Path panopticDir;
    private final Path imageDir;
    private final CocoCaptions captions;

    private CocoPanopticDataset(CocoPanopticIndex index, Path panopticDir, Path imageDir, CocoCaptions captions) {
        this.index = index;
        this.panopticDir = panopticDir;
        this.imageDir = imageDir;
        this.captions = captions;
    }

    /** Indexes the JSON files (the images and PNGs are read lazily, sample by sample). */
    public static CocoPanopticDataset open(Path panopticJson, Path panopticDir, Path imageDir, Path captionsJson, LoadOptions options, LoadReport report) {
        requireDir(panopticDir, "panoptic PNG folder");
        requireDir(imageDir, "image folder");
        CocoPanopticIndex index = CocoPanopticIndex.read(panopticJson, options, report);
        CocoCaptions caps = captionsJson == null ? CocoCaptions.none() : CocoCaptions.read(captionsJson, options, report);
        return new CocoPanopticDataset(index, panopticDir, imageDir, caps);
    }

    /** detectron2's COCO 2017 layout under {@code root}; {@code split} is train2017 or val2017; captions when present. */
    public static CocoPanopticDataset coco2017(Path root, String split, LoadOptions options, LoadReport report) {
        Path coco = root.resolve("coco"), ann = coco.resolve("annotations");
        Path caps = ann.resolve("captions_" + split + ".json");
        return open(ann.resolve("panoptic_" + split + ".json"), coco.resolve("panoptic_" + split), coco.resolve(split),
                Files.isRegularFile(caps) ? caps : null, options, report);
    }

    static void requireDir(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw GkcException.of("%s not found: %s", what, dir);
        }
    }

    public CocoPanopticIndex index() {
        return index;
    }

    public Path panopticDir() {
        return panopticDir;
    }

    public Path imageDir() {
        return imageDir;
    }

    public CocoCaptions captions() {
        return captions;
    }

    public List<String> classNames() {
        return index.classNames();
    }

    /** The panoptic PNG of every valid annotation, in JSON order. */
    public InputSplit inputSplit() {
        List<URI> uris = new ArrayList<>(index.annotations().size());
        for (CocoPanopticIndex.Annotation a : index.annotations()) {
            uris.add(panopticDir.resolve(a.fileName()).toUri());
        }
        return new CollectionInputSplit(uris);
    }

    /** A reader initialised with {@link #inputSplit()}. */
    public CocoPanopticRecordReader recordReader(LoadOptions options, LoadReport report) {
        CocoPanopticRecordReader r = new CocoPanopticRecordReader(this, options, report);
        try {
            r.initialize(inputSplit());
        } catch (IOException | InterruptedException e) {
            throw new GkcException("cannot initialise the COCO panoptic reader: " + e.getMessage(), e);
        }
        return r;
    }

    /** Samples decoded from the reader's records. */
    public Iterator<org.gkc4j.pipeline.SegmentationSample> samples(LoadOptions options, LoadReport report) {
        return recordReader(options, report).samples();
    }
}
