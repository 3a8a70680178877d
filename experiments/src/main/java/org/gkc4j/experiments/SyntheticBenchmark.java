package org.gkc4j.experiments;

import org.gkc4j.GkcException;

import org.gkc4j.eval.SemSegEvaluator;
import org.gkc4j.eval.SemSegMetrics;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.pipeline.RecordReaderSource;
import org.gkc4j.pipeline.RelabeledSource;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.SampleSource;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.synthetic.SceneGenerator;
import org.gkc4j.pipeline.synthetic.SyntheticRecordReader;
import org.gkc4j.pipeline.synthetic.SyntheticWorld;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The zero-shot protocol on the synthetic world: train on scenes annotated with the seen classes only (their names
 * are the training vocabulary), evaluate on held-out scenes of every class with the full vocabulary; report
 * mIoU over seen (base) and unseen (novel) classes and their harmonic mean.
 */
public final class SyntheticBenchmark {
    public static final long TRAIN_SEEDS = 100_000L, EVAL_SEEDS = 500_000L, VALIDATION_SEEDS = 700_000L;
    public static final int IGNORE = 255;

    private final SyntheticWorld world;
    private final SceneGenerator generator;
    private final List<Integer> seen;

    public SyntheticBenchmark(SyntheticWorld world, int imageSize) {
        this.world = world;
        this.generator = new SceneGenerator(world, imageSize);
        this.seen = world.seen();
    }

    /** The benchmark of a run config's synthetic world at its image size. */
    /** The unlabelled images of the first {@code count} validation scenes (what a hubness correction is measured on). */
    public List<RgbImage> validationImages(int count) {
        List<RgbImage> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(generator.scene(VALIDATION_SEEDS + i, SceneGenerator.Split.ALL).image());
        }
        return out;
    }

    public static SyntheticBenchmark of(RunConfig.Data data) {
        return new SyntheticBenchmark(data.syntheticWorld(), data.imageSize());
    }

    public SyntheticWorld world() {
        return world;
    }

    /** The training vocabulary: the seen classes' names. */
    public List<String> trainClasses() {
        return seen.stream().map(i -> world.classNames().get(i)).toList();
    }

    /** Training scenes (seen classes only) with labels indexing {@link #trainClasses()}, read through DataVec. */
    public SampleSource train(int count, long seedOffset) {
        int[] map = new int[world.classes().size()];
        java.util.Arrays.fill(map, -1);
        for (int i = 0; i < seen.size(); i++) {
            map[seen.get(i)] = i;
        }
        RecordReaderSource raw = new RecordReaderSource(new SyntheticRecordReader(generator),
                SyntheticRecordReader.split(TRAIN_SEEDS + seedOffset * 1_000_000L, count, SceneGenerator.Split.SEEN), "synthetic-train");
        return new RelabeledSource(raw, map);
    }

    /** Synonyms of the training classes (the world's own table stands in for WordNet). */
    public Map<String, List<String>> synonyms() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i : seen) {
            m.put(world.classNames().get(i), world.classes().get(i).synonyms());
        }
        return m;
    }

    public SegmentationSample evalScene(int i) {
        return generator.scene(EVAL_SEEDS + i, SceneGenerator.Split.ALL);
    }

    /** Class (world index) of every pixel; void pixels get {@link #IGNORE}. */
    public static int[] labelMap(SegmentationSample s) {
        int[] out = new int[s.segmentMap().length];
        for (int i = 0; i < out.length; i++) {
            int seg = s.segmentMap()[i];
            out[i] = seg < 0 ? IGNORE : s.segments().get(seg).classIndex();
        }
        return out;
    }

    /**
     * Predictions and metrics over {@code images} held-out scenes with the full vocabulary; {@code confusion[gt][pred]}
     * counts pixels.
     */
    public record Evaluation(SemSegMetrics metrics, List<SegmentationSample> scenes, List<int[]> predictions, long[][] confusion) {
    }

    public Evaluation evaluate(GkcModelConfig model, Map<String, INDArray> weights, INDArray allClassText, int images, int keep) {
        return evaluate(model, weights, allClassText, images, keep, null);
    }

    /** As above; with {@code twoStage}, each mask is re-classified by the CLIP image encoder. */
    public Evaluation evaluate(GkcModelConfig model, Map<String, INDArray> weights, INDArray allClassText, int images, int keep, TwoStageClassifier twoStage) {
        return evaluate(model, weights, allClassText, images, keep, twoStage, SeenClassCalibration.NONE, EVAL_SEEDS);
    }

    /**
     * The general form: {@code calibration} lowers the seen classes' logits; {@code firstSeed} picks the scenes
     * ({@link #EVAL_SEEDS} for the test scenes, {@link #VALIDATION_SEEDS} for choosing settings).
     */
    public Evaluation evaluate(GkcModelConfig model, Map<String, INDArray> weights, INDArray allClassText, int images, int keep,
                               TwoStageClassifier twoStage, SeenClassCalibration calibration, long firstSeed) {
        return evaluate(new SemanticPredictions(model, weights, allClassText), images, keep, twoStage, calibration, firstSeed);
    }

    /** As above with predictions already set up (their graphs are reused across calls; the calibration replaces their bias). */
    public Evaluation evaluate(SemanticPredictions predictions, int images, int keep, TwoStageClassifier twoStage,
                               SeenClassCalibration calibration, long firstSeed) {
        return evaluate(predictions, images, keep, twoStage, calibration, HubnessCorrection.NONE, firstSeed);
    }

    /** As above, the hubness correction's bias added to the calibration's. */
    public Evaluation evaluate(SemanticPredictions predictions, int images, int keep, TwoStageClassifier twoStage,
                               SeenClassCalibration calibration, HubnessCorrection hubness, long firstSeed) {
        INDArray bias = calibration.bias(world.classes().size(), seen), hub = hubness.bias();
        if (hub != null && hub.length() != world.classes().size()) {
            throw GkcException.of("the hubness correction has %d classes, the world %d", hub.length(), world.classes().size());
        }
        SemanticPredictions p = predictions.withClassBias(bias == null ? hub : hub == null ? bias : bias.add(hub));
        SemSegEvaluator eval = new SemSegEvaluator(world.classes().size(), IGNORE);
        List<SegmentationSample> kept = new ArrayList<>();
        List<int[]> keptPred = new ArrayList<>();
        int batch = 8;
        for (int start = 0; start < images; start += batch) {
            List<SegmentationSample> scenes = new ArrayList<>();
            List<RgbImage> imgs = new ArrayList<>();
            for (int i = start; i < Math.min(images, start + batch); i++) {
                scenes.add(generator.scene(firstSeed + i, SceneGenerator.Split.ALL));
                imgs.add(scenes.get(scenes.size() - 1).image());
            }
            while (imgs.size() < batch) {
                imgs.add(imgs.get(0));   // one graph for every batch: pad with a repeat, ignore its output
            }
            int[][] pred = twoStage == null ? p.predict(imgs) : p.predictTwoStage(imgs, twoStage);
            for (int i = 0; i < scenes.size(); i++) {
                eval.add(pred[i], labelMap(scenes.get(i)));
                if (kept.size() < keep) {
                    kept.add(scenes.get(i));
                    keptPred.add(pred[i]);
                }
            }
        }
        return new Evaluation(eval.metrics(world.unseen()), kept, keptPred, eval.confusionByTruth());
    }
}
