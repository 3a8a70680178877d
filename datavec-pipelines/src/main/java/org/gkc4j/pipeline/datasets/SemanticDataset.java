package org.gkc4j.pipeline.datasets;

import org.datavec.api.split.CollectionInputSplit;
import org.datavec.api.split.InputSplit;
import org.gkc4j.GkcException;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The semantic-segmentation benchmarks of open-vocabulary work, each in the layout detectron2-based code prepares
 * (paths relative to the datasets root, {@code $DETECTRON2_DATASETS}), with its class list and the rule turning stored
 * label values into contiguous class indices plus one ignore value per dataset.
 *
 * <p>The ignore value is 255 wherever the classes fit below it; ADE20K-847 and Pascal Context 459 have a class 255
 * (pier, monkey), so their ignore value is 65535, as detectron2 registers them.
 *
 * <table>
 * <caption>Layouts (split names in braces: train, val)</caption>
 * <tr><th>dataset</th><th>images</th><th>labels</th><th>stored values</th></tr>
 * <tr><td>coco-stuff-171</td><td>coco/{train2017,val2017}/&lt;id&gt;.jpg</td><td>coco/stuffthingmaps_detectron2/{train2017,val2017}/&lt;id&gt;.png</td><td>0..170, 255 ignore</td></tr>
 * <tr><td>coco-panoptic-133</td><td>coco/{train2017,val2017}/&lt;id&gt;.jpg</td><td>coco/panoptic_semseg_{train2017,val2017}/&lt;id&gt;.png ({@code gkc data prepare coco-panoptic})</td><td>0..132, 255 ignore</td></tr>
 * <tr><td>ade20k-150</td><td>ADEChallengeData2016/images/{training,validation}/&lt;id&gt;.jpg</td><td>ADEChallengeData2016/annotations/{training,validation}/&lt;id&gt;.png</td><td>1..150 = class + 1, 0 ignore</td></tr>
 * <tr><td>ade20k-847</td><td>ADE20K_2021_17_01/images_detectron2/{training,validation}/&lt;id&gt;.jpg</td><td>ADE20K_2021_17_01/annotations_detectron2/{training,validation}/&lt;id&gt;.tif (16-bit)</td><td>0..846, 65535 ignore</td></tr>
 * <tr><td>pascal-context-59</td><td>VOCdevkit/VOC2010/JPEGImages/&lt;id&gt;.jpg</td><td>VOCdevkit/VOC2010/annotations_detectron2/pc59_val/&lt;id&gt;.png (val only)</td><td>0..58, 255 ignore</td></tr>
 * <tr><td>pascal-context-459</td><td>VOCdevkit/VOC2010/JPEGImages/&lt;id&gt;.jpg</td><td>VOCdevkit/VOC2010/annotations_detectron2/pc459_val/&lt;id&gt;.tif (16-bit, val only)</td><td>0..458, 65535 ignore</td></tr>
 * <tr><td>pascal-voc-20</td><td>VOCdevkit/VOC2012/JPEGImages/&lt;id&gt;.jpg</td><td>VOCdevkit/VOC2012/SegmentationClass/&lt;id&gt;.png (palette), ids from ImageSets/Segmentation/{train,val}.txt</td><td>1..20 = class + 1; 0 background and 255 boundary ignored</td></tr>
 * <tr><td>cityscapes-19</td><td>cityscapes/leftImg8bit/{train,val}/&lt;city&gt;/&lt;id&gt;_leftImg8bit.png</td><td>cityscapes/gtFine/{train,val}/&lt;city&gt;/&lt;id&gt;_gtFine_labelTrainIds.png</td><td>0..18, 255 ignore</td></tr>
 * </table>
 */
public enum SemanticDataset {
    COCO_STUFF_171("coco-stuff-171", 171,
            new SemanticLayout.PairedFolders("coco/train2017", "coco/stuffthingmaps_detectron2/train2017",
                    "coco/val2017", "coco/stuffthingmaps_detectron2/val2017", ".jpg", ".png"),
            LabelEncoding.direct(171, 255, 255)),
    COCO_PANOPTIC_133("coco-panoptic-133", 133,
            new SemanticLayout.PairedFolders("coco/train2017", "coco/panoptic_semseg_train2017",
                    "coco/val2017", "coco/panoptic_semseg_val2017", ".jpg", ".png"),
            LabelEncoding.direct(133, 255, 255)),
    ADE20K_150("ade20k-150", 150,
            new SemanticLayout.PairedFolders("ADEChallengeData2016/images/training", "ADEChallengeData2016/annotations/training",
                    "ADEChallengeData2016/images/validation", "ADEChallengeData2016/annotations/validation", ".jpg", ".png"),
            new LabelEncoding(1, 150, new int[]{0}, 255)),
    ADE20K_847("ade20k-847", 847,
            new SemanticLayout.PairedFolders("ADE20K_2021_17_01/images_detectron2/training", "ADE20K_2021_17_01/annotations_detectron2/training",
                    "ADE20K_2021_17_01/images_detectron2/validation", "ADE20K_2021_17_01/annotations_detectron2/validation", ".jpg", ".tif"),
            LabelEncoding.direct(847, 65535, 65535)),
    PASCAL_CONTEXT_59("pascal-context-59", 59,
            new SemanticLayout.PairedFolders(null, null, "VOCdevkit/VOC2010/JPEGImages", "VOCdevkit/VOC2010/annotations_detectron2/pc59_val", ".jpg", ".png"),
            LabelEncoding.direct(59, 255, 255)),
    PASCAL_CONTEXT_459("pascal-context-459", 459,
            new SemanticLayout.PairedFolders(null, null, "VOCdevkit/VOC2010/JPEGImages", "VOCdevkit/VOC2010/annotations_detectron2/pc459_val", ".jpg", ".tif"),
            LabelEncoding.direct(459, 65535, 65535)),
    PASCAL_VOC_20("pascal-voc-20", 20, new SemanticLayout.Voc2012(),
            new LabelEncoding(1, 20, new int[]{0, 255}, 255)),
    CITYSCAPES_19("cityscapes-19", 19, new SemanticLayout.Cityscapes(),
            LabelEncoding.direct(19, 255, 255));

    private final String key;
    private final int numClasses;
    private final SemanticLayout layout;
    private final LabelEncoding encoding;

    SemanticDataset(String key, int numClasses, SemanticLayout layout, LabelEncoding encoding) {
        this.key = key;
        this.numClasses = numClasses;
        this.layout = layout;
        this.encoding = encoding;
    }

    /** The dataset's name on the command line and of its class list ({@code classnames/<key>.tsv}). */
    public String key() {
        return key;
    }

    public int numClasses() {
        return numClasses;
    }

    /** The one value every ignored pixel carries in the label maps this API returns. */
    public int ignoreLabel() {
        return encoding.ignoreLabel();
    }

    public SemanticLayout layout() {
        return layout;
    }

    public LabelEncoding encoding() {
        return encoding;
    }

    public ClassNames classNames() {
        ClassNames c = ClassNames.load(key);
        if (c.size() != numClasses) {
            throw new IllegalStateException("class list " + key + " has " + c.size() + " names, expected " + numClasses);
        }
        return c;
    }

    public static SemanticDataset byKey(String key) {
        for (SemanticDataset d : values()) {
            if (d.key.equals(key)) {
                return d;
            }
        }
        throw GkcException.of("unknown dataset %s; known: %s", key, Arrays.stream(values()).map(SemanticDataset::key).collect(Collectors.joining(", ")));
    }

    /** The split's label files as a DataVec split, in the layout's order. */
    public InputSplit inputSplit(Path root, Split split) {
        List<Path> files = layout.labelFiles(root, split);
        List<URI> uris = new ArrayList<>(files.size());
        files.forEach(f -> uris.add(f.toUri()));
        return new CollectionInputSplit(uris);
    }

    /** A reader initialised with {@link #inputSplit}. */
    public SemanticRecordReader recordReader(Path root, Split split, LoadOptions options, LoadReport report) {
        SemanticRecordReader r = new SemanticRecordReader(this, root, split, options, report);
        try {
            r.initialize(inputSplit(root, split));
        } catch (IOException | InterruptedException e) {
            throw new GkcException("cannot initialise the " + key + " reader: " + e.getMessage(), e);
        }
        return r;
    }

    /** (id, image, label map) triples, decoded from the reader's DataVec records. */
    public Iterator<SemanticSample> samples(Path root, Split split, LoadOptions options, LoadReport report) {
        Iterator<org.gkc4j.pipeline.SegmentationSample> it = recordReader(root, split, options, report).samples();
        int ignore = ignoreLabel();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public SemanticSample next() {
                return SemanticSample.of(it.next(), ignore);
            }
        };
    }
}
