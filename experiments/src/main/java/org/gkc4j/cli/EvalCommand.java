package org.gkc4j.cli;

import org.gkc4j.GkcException;
import org.gkc4j.eval.SemSegMetrics;
import org.gkc4j.experiments.ClipResources;
import org.gkc4j.experiments.DatasetEvaluation;
import org.gkc4j.experiments.EvaluationSet;
import org.gkc4j.experiments.HubnessCorrection;
import org.gkc4j.experiments.SeenClassCalibration;
import org.gkc4j.experiments.SemanticPredictions;
import org.gkc4j.experiments.Reports;
import org.gkc4j.experiments.SyntheticBenchmark;
import org.gkc4j.experiments.TrainedModel;
import org.gkc4j.experiments.TwoStageClassifier;
import org.gkc4j.experiments.VideoLabeller;
import org.gkc4j.experiments.VipsegEvaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.gkc4j.io.AtomicFiles;
import org.gkc4j.pipeline.datasets.Split;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "The cross-dataset zero-shot protocol: vocabulary = the dataset's class names; mIoU (and base/novel/hIoU with --novel) as JSON, markdown and a per-class CSV.")
public final class EvalCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Option(names = "--checkpoint", required = true, description = "A run folder, or its model.safetensors / checkpoint.safetensors.")
    Path checkpoint;
    @Option(names = "--dataset", required = true, description = "synthetic, vipseg (video: both protocols, see docs/video.md), coco-panoptic, coco-stuff-171, coco-panoptic-133, ade20k-150, ade20k-847, pascal-context-59, pascal-context-459, pascal-voc-20 or cityscapes-19.")
    String dataset;
    @Option(names = "--root", description = "Datasets root ($DETECTRON2_DATASETS layout; not needed for synthetic).")
    Path root;
    @Option(names = "--split", defaultValue = "val", description = "train or val (vipseg: train, val or test; default ${DEFAULT-VALUE}).")
    String split;
    @Option(names = "--size", description = "Resize the shorter edge to this before inference (default: the training size).")
    Integer size;
    @Option(names = "--novel", split = ",", description = "Class indices of the novel (unseen) split, for base/novel/hIoU.")
    List<Integer> novel = new ArrayList<>();
    @Option(names = "--limit", description = "Evaluate only the first N images (vipseg: videos).")
    Integer limit;
    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;
    @Option(names = "--two-stage", description = "Re-classify every predicted mask with the CLIP image encoder and ensemble: p_query^(1-L) p_clip^L (L = 1: CLIP alone).")
    Double twoStage;
    @Option(names = "--seen-penalty", defaultValue = "0", description = "Calibrated stacking: subtract this from the seen (base) classes' logits; needs a base/novel split (default ${DEFAULT-VALUE}).")
    double seenPenalty;
    @Option(names = "--hubness", defaultValue = "0", description = "Synthetic only: hubness correction of this weight, measured on the validation scenes' images without their labels (default ${DEFAULT-VALUE}: none).")
    double hubness;
    @Option(names = "--validation", description = "Synthetic only: score the validation scenes, kept apart from the test scenes for choosing settings such as --seen-penalty.")
    boolean validation;

    @Override
    public Integer call() throws Exception {
        if (dataset.equals("vipseg")) {
            return vipseg();
        }
        TrainedModel model = TrainedModel.load(checkpoint);
        ClipResources clip = ClipResources.open(model.config());
        Files.createDirectories(out);
        SemSegMetrics metrics;
        long[][] confusion;
        List<String> names;
        if (dataset.equals("synthetic")) {
            SyntheticBenchmark bench = SyntheticBenchmark.of(model.config().data());
            names = bench.world().classNames();
            int n = limit != null ? limit : model.config().evaluation().images();
            INDArray text = clip.embed(names);
            TwoStageClassifier ts = twoStage == null ? null : new TwoStageClassifier(clip.weights(), text, twoStage, 16);
            SemanticPredictions predictions = new SemanticPredictions(model.config().model(), model.weights(), text);
            HubnessCorrection hub = HubnessCorrection.NONE;
            if (hubness != 0) {
                int images = Math.max(1, model.config().evaluation().validationImages());
                hub = HubnessCorrection.estimate(predictions, bench.validationImages(images), 8, model.config().evaluation().hubnessNeighbours())
                        .withWeight(hubness);
            }
            SyntheticBenchmark.Evaluation ev = bench.evaluate(predictions, n, 0, ts, new SeenClassCalibration(seenPenalty), hub,
                    validation ? SyntheticBenchmark.VALIDATION_SEEDS : SyntheticBenchmark.EVAL_SEEDS);
            metrics = ev.metrics();
            confusion = ev.confusion();
        } else {
            if (validation) {
                throw GkcException.of("--validation applies to the synthetic world only; use --split for %s", dataset);
            }
            if (hubness != 0) {
                throw GkcException.of("--hubness applies to the synthetic world only (it is measured on its validation scenes)");
            }
            if (seenPenalty > 0 && novel.isEmpty()) {
                throw GkcException.of("--seen-penalty needs --novel to say which classes are unseen");
            }
            EvaluationSet set = EvaluationSet.open(dataset, root, Split.valueOf(split.toUpperCase(Locale.ROOT)));
            names = set.classNames();
            INDArray text = clip.embed(names);
            List<Integer> seen = new ArrayList<>();
            for (int c = 0; c < names.size(); c++) {
                if (!novel.contains(c)) {
                    seen.add(c);
                }
            }
            SemanticPredictions predictions = new SemanticPredictions(model.config().model(), model.weights(), text,
                    new SeenClassCalibration(seenPenalty).bias(names.size(), seen));
            TwoStageClassifier ts = twoStage == null ? null : new TwoStageClassifier(clip.weights(), text, twoStage, 16);
            int shortest = size != null ? size : model.config().data().imageSize();
            DatasetEvaluation.Result r = DatasetEvaluation.run(predictions, set, limit == null ? 0 : limit, shortest, novel, 0, ts);
            metrics = r.metrics();
            confusion = r.confusion();
        }
        metrics.write(out.resolve("metrics.json"));
        StringBuilder md = new StringBuilder("| dataset | mIoU | pAcc | mIoU base | mIoU novel | hIoU |\n|---|---|---|---|---|---|\n");
        md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %.1f |%n", dataset, metrics.mIoU(), metrics.pAcc(),
                metrics.mIoUBase(), metrics.mIoUNovel(), metrics.hIoU()));
        md.append(String.format(Locale.ROOT, "%nCheckpoint `%s`; seen-class penalty %.2f, hubness weight %.2f%s.%n", checkpoint, seenPenalty, hubness,
                twoStage == null ? "" : String.format(Locale.ROOT, ", two-stage ensemble %.2f", twoStage)));
        AtomicFiles.writeString(out.resolve("results.md"), md.toString());
        Reports.perClassCsv(out.resolve("per_class_iou.csv"), names, metrics);
        Reports.confusionCsv(out.resolve("confusion.csv"), names, confusion);
        System.out.print(md);
        return 0;
    }

    /** VIPSeg: a video run clip by clip, an image run frame by frame; both protocols (VipsegEvaluation). */
    private Integer vipseg() throws Exception {
        if (!novel.isEmpty() || twoStage != null || seenPenalty != 0 || hubness != 0 || validation) {
            throw GkcException.of("vipseg fixes its own seen/unseen split and takes none of --novel, --two-stage, --seen-penalty, --hubness, --validation");
        }
        VipsegEvaluation.layout(root, split);   // a bad root or split fails before the network is loaded
        TrainedModel model = TrainedModel.load(checkpoint);
        ClipResources clip = ClipResources.open(model.config());
        int shortest = size != null ? size : model.config().data().imageSize();
        try (VideoLabeller labeller = VideoLabeller.of(checkpoint, model)) {
            VipsegEvaluation.Result r = VipsegEvaluation.run(root, split, labeller, clip::embed, shortest, limit == null ? 0 : limit, out,
                    new VipsegEvaluation.Settings(checkpoint.toString(), root.toString(), split, shortest, limit == null ? 0 : limit, labeller.description()),
                    recorded(model));
            System.out.print(Files.readString(out.resolve(VipsegEvaluation.RESULTS)));
            System.err.printf("gkc: VIPSeg %s, %d videos: all 124 names seen %.1f unseen %.1f harmonic %.1f; paper protocol seen %.1f unseen %.1f harmonic %.1f -> %s%n",
                    split, r.videos(), r.all124().frames().mIoUBase(), r.all124().frames().mIoUNovel(), r.all124().frames().hIoU(),
                    r.seen().mIoU(), r.unseen().mIoU(), r.paperHIoU(), out.resolve(VipsegEvaluation.METRICS));
        }
        return 0;
    }

    /** The configs the run's weights record: its run config and, for a video run, the inference part of its video config. */
    private java.util.Map<String, Object> recorded(TrainedModel model) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("run", model.config());
        VideoLabeller.VideoConfig video = VideoLabeller.recordedVideoConfig(checkpoint);
        if (video != null) {
            m.put("video", video);
        }
        return m;
    }
}
