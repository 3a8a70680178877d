package org.gkc4j.experiments;

import org.gkc4j.eval.SemSegMetrics;
import org.gkc4j.pipeline.datasets.Split;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * After training on a dataset: the validation split of {@code evaluation.dataset} (the training dataset when empty)
 * under {@code data.root}, with that dataset's whole vocabulary; classes whose names the training vocabulary lacks are
 * reported as unseen. {@code evaluation.images} bounds the images scored ({@code <= 0}: all).
 */
final class DatasetRunEvaluation implements RunEvaluation {
    @Override
    public SemSegMetrics evaluate(RunConfig cfg, Path out, ClipResources clip, Map<String, INDArray> weights, List<String> trainClasses,
                                  double imagesPerSecond, double trainSeconds) throws IOException {
        String key = cfg.evaluation().dataset().isEmpty() ? cfg.data().dataset() : cfg.evaluation().dataset();
        EvaluationSet set = EvaluationSet.open(key, Path.of(cfg.data().root()), Split.VAL);
        List<Integer> unseen = DatasetEvaluation.unseen(set.classNames(), trainClasses);
        System.err.printf("gkc: evaluating on %s (val) with its %d class names (%d not in the training vocabulary)%n", key, set.classNames().size(), unseen.size());
        SemanticPredictions predictions = new SemanticPredictions(cfg.model(), weights, clip.embed(set.classNames()));
        DatasetEvaluation.Result r = DatasetEvaluation.run(predictions, set, cfg.evaluation().images(), cfg.data().imageSize(), unseen,
                cfg.evaluation().visualise(), null);
        SemSegMetrics m = r.metrics();
        m.write(out.resolve(TrainingRun.METRICS));
        Reports.perClassCsv(out.resolve("per_class_iou.csv"), set.classNames(), m);
        Reports.confusionCsv(out.resolve(TrainingRun.CONFUSION), set.classNames(), r.confusion());
        if (!r.keptImages().isEmpty()) {
            Pictures.overlays(out.resolve("predictions.png"), r.keptImages(), r.keptTruth(), r.keptPredictions(), set.classNames(),
                    new HashSet<>(unseen), set.ignoreLabel());
        }
        Reports.lossCurves(out.resolve(TrainingRun.METRICS_LOG), out.resolve("loss_curves.png"));
        Reports.runReport(out, cfg, m, imagesPerSecond, trainSeconds, null);
        System.err.printf("gkc: %s val (%d images): mIoU %.1f, pAcc %.1f%s; report in %s%n", key, r.images(), m.mIoU(), m.pAcc(),
                unseen.isEmpty() ? "" : String.format(", seen %.1f, unseen %.1f, harmonic %.1f", m.mIoUBase(), m.mIoUNovel(), m.hIoU()),
                out.resolve("report.md"));
        return m;
    }
}
