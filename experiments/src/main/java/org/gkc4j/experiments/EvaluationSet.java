package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.pipeline.datasets.CocoPanopticDataset;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.datasets.SemanticDataset;
import org.gkc4j.pipeline.datasets.SemanticSample;
import org.gkc4j.pipeline.datasets.Split;
import org.gkc4j.pipeline.datasets.ClassNames;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * A labelled split of a dataset on disk as the semantic evaluation reads it: the vocabulary (what the text tower
 * embeds), the ignore value, and the samples streamed one at a time. {@code coco-panoptic} is read from its panoptic
 * PNGs and JSON directly (no prepared semantic maps needed); every {@link SemanticDataset} key through its reader.
 */
public record EvaluationSet(String key, List<String> classNames, int ignoreLabel, Iterator<SemanticSample> samples) {
    private static final int IGNORE = 255;

    public EvaluationSet {
        classNames = List.copyOf(classNames);
    }

    public static EvaluationSet open(String key, Path root, Split split) {
        if (root == null) {
            throw GkcException.of("--root (or data.root) is required for %s", key);
        }
        LoadOptions options = LoadOptions.skipDamaged();
        LoadReport report = LoadReport.toStderr();
        if (key.equals(DatasetTrainingData.COCO_PANOPTIC)) {
            CocoPanopticDataset ds = CocoPanopticDataset.coco2017(root, split == Split.TRAIN ? "train2017" : "val2017", options, report);
            Iterator<org.gkc4j.pipeline.SegmentationSample> it = ds.samples(options, report);
            Iterator<SemanticSample> labels = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public SemanticSample next() {
                    return SemanticSample.of(it.next(), IGNORE);
                }
            };
            return new EvaluationSet(key, vocabulary(key, ds.classNames()), IGNORE, labels);
        }
        SemanticDataset ds = SemanticDataset.byKey(key);
        return new EvaluationSet(key, vocabulary(key, ds.classNames().names()), ds.ignoreLabel(), ds.samples(root, split, options, report));
    }

    /**
     * The names the text tower embeds for a dataset's class names: COCO panoptic's through the authors'
     * {@code process_coco_cat} ({@code wall-other-merged -> wall}), as GKC trains on them; other datasets' as listed.
     */
    static List<String> vocabulary(String key, List<String> datasetNames) {
        if (!key.equals(DatasetTrainingData.COCO_PANOPTIC)) {
            return datasetNames;
        }
        List<String> names = datasetNames.stream().map(ClassNames::processCocoCat).toList();
        if (names.stream().distinct().count() != names.size()) {
            throw GkcException.of("%s: two class names become the same name after process_coco_cat: %s", key, names);
        }
        return names;
    }
}
