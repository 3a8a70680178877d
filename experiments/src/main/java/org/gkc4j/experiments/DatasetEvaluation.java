package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.eval.SemSegEvaluator;
import org.gkc4j.eval.SemSegMetrics;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.augment.Resampling;
import org.gkc4j.pipeline.datasets.SemanticSample;

import java.util.ArrayList;
import java.util.List;

/**
 * The semantic evaluation of a trained network on a dataset split (detectron2's protocol, see {@link SemSegEvaluator}):
 * each image resized so its shorter edge is the inference size, predicted with the set's whole vocabulary, the label
 * map resized back (nearest) and scored at full resolution.
 */
public final class DatasetEvaluation {
    /** Width of the images kept for pictures (smaller images keep theirs). */
    static final int THUMBNAIL = 256;

    /**
     * Metrics, the pixel confusion {@code [truth][prediction]}, and the first images with truth and prediction for
     * pictures, all at the first kept image's thumbnail size.
     */
    public record Result(SemSegMetrics metrics, long[][] confusion, int images, List<RgbImage> keptImages, List<int[]> keptTruth,
                         List<int[]> keptPredictions) {
    }

    private DatasetEvaluation() {
    }

    /**
     * Scores at most {@code limit} images ({@code <= 0}: all) at shorter edge {@code shortest}; {@code novel} are
     * the class indices reported as unseen; {@code keep} images are returned for pictures; {@code twoStage} may be null.
     */
    public static Result run(SemanticPredictions predictions, EvaluationSet set, int limit, int shortest, List<Integer> novel, int keep,
                             TwoStageClassifier twoStage) {
        SemSegEvaluator eval = new SemSegEvaluator(set.classNames().size(), set.ignoreLabel());
        List<RgbImage> images = new ArrayList<>();
        List<int[]> truth = new ArrayList<>(), predicted = new ArrayList<>();
        int count = 0;
        try (ProgressBar bar = new ProgressBar("eval " + set.key(), Math.max(limit, 0), "images")) {
            while (set.samples().hasNext() && (limit <= 0 || count < limit)) {
                SemanticSample s = set.samples().next();
                RgbImage img = s.image();
                int[] wh = Resampling.shortestEdgeSize(img.width(), img.height(), shortest, Math.max(shortest, 4 * shortest));
                List<RgbImage> batch = List.of(Resampling.bilinear(img, wh[0], wh[1]));
                int[] labels = twoStage == null ? predictions.predict(batch)[0] : predictions.predictTwoStage(batch, twoStage)[0];
                int[] full = Resampling.nearest(labels, wh[0], wh[1], img.width(), img.height());
                eval.add(full, s.labels());
                if (images.size() < keep) {
                    // pictures take one cell size: every kept image at the first one's thumbnail size
                    int tw = images.isEmpty() ? Math.min(THUMBNAIL, img.width()) : images.get(0).width();
                    int th = images.isEmpty() ? Math.max(1, Math.round((float) img.height() * tw / img.width())) : images.get(0).height();
                    images.add(Resampling.bilinear(img, tw, th));
                    truth.add(Resampling.nearest(s.labels(), img.width(), img.height(), tw, th));
                    predicted.add(Resampling.nearest(full, img.width(), img.height(), tw, th));
                }
                bar.step(++count, s.id());
            }
        }
        if (count == 0) {
            throw GkcException.of("no images found for %s", set.key());
        }
        return new Result(eval.metrics(novel), eval.confusionByTruth(), count, images, truth, predicted);
    }

    /** Indices of {@code names} that {@code trainingNames} lacks: the classes a model never saw labelled. */
    public static List<Integer> unseen(List<String> names, List<String> trainingNames) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (!trainingNames.contains(names.get(i))) {
                out.add(i);
            }
        }
        return out;
    }
}
