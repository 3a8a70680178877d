package org.gkc4j.train;

import org.gkc4j.criterion.ClassLoss;
import org.gkc4j.criterion.Criterion;
import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.criterion.DistillationLoss;
import org.gkc4j.criterion.LossTerm;
import org.gkc4j.criterion.MaskLosses;
import org.gkc4j.criterion.SynonymLoss;
import org.gkc4j.criterion.TextAlignmentLoss;
import org.gkc4j.data.ImageTargets;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.nn.GradientCheck;
import org.gkc4j.testing.Graphs;
import org.gkc4j.testing.ToyScenes;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GKC's contributions as loss terms: numerical gradient checks (DOUBLE) of the synonym loss, the text alignment and
 * every distillation variant on the tiny network, and a short training run in which each term falls.
 */
class ContributionLossesTest {
    static final List<String> CLASSES = List.of("background", "red box", "green box", "blue box");

    /** A fixed random embedding per name (a stand-in for the text tower; the losses only need consistency). */
    static Function<List<String>, INDArray> embedder(int dim) {
        Map<String, INDArray> memo = new HashMap<>();
        return names -> {
            INDArray out = Nd4j.create(DataType.DOUBLE, names.size(), dim);
            for (int i = 0; i < names.size(); i++) {
                out.putRow(i, memo.computeIfAbsent(names.get(i), n -> {
                    Nd4j.getRandom().setSeed(n.hashCode());
                    return Nd4j.randn(DataType.DOUBLE, dim);
                }));
            }
            return out;
        };
    }

    /** Adds a diversified vocabulary (slot 1 renamed, one extra name) and random teacher features. */
    static TrainingBatch enriched(TrainingBatch b, int teacherDim) {
        List<ImageTargets> ts = new ArrayList<>();
        for (ImageTargets t : b.targets()) {
            List<String> vocab = new ArrayList<>(CLASSES);
            vocab.set(1, "crimson box");
            vocab.add("scarlet box");
            int[] targets = t.labels().clone();
            for (int j = 0; j < targets.length; j++) if (targets[j] == 1 && j % 2 == 1) targets[j] = 4;
            Nd4j.getRandom().setSeed(t.count());
            ts.add(t.withVocabulary(vocab, targets).withTeacher(Nd4j.randn(DataType.DOUBLE, t.count(), teacherDim))
                    .withCaptionNouns(t.count() > 3 ? List.of("box", "background", "sky") : List.of("box", "grass")));
        }
        return new TrainingBatch(b.images(), ts);
    }

    private static void check(Function<CriterionConfig, List<LossTerm>> terms, String what) {
        check(terms, what, 1);
    }

    private static void check(Function<CriterionConfig, List<LossTerm>> terms, String what, int batchSize) {
        check(terms, what, batchSize, 6);
    }

    private static void check(Function<CriterionConfig, List<LossTerm>> terms, String what, int batchSize, int teacherDim) {
        GkcModelConfig model = TrainerTest.tiny();
        GkcModelConfig frozen = new GkcModelConfig(new GkcModelConfig.Backbone(model.backbone().layers(), model.backbone().width(), false),
                model.pixelDecoder(), model.decoder(), model.head());
        CriterionConfig crit = new CriterionConfig(0, 0, 0, 0.1, 0.5, 16, 3, 0.75, 2, 5, 5, true, 4);
        TrainConfig tc = new TrainConfig(1, batchSize, 1, 1e-3, 0.0, 1.0, 0, TrainConfig.Schedule.CONSTANT, 0, 1.0, List.of(), 0.1, 0.9, 1000, 10, 1);
        INDArray text = embedder(model.head().embedDim()).apply(CLASSES);
        Trainer t = new Trainer(frozen, crit, tc, terms, Map.of(), text, 32, 32, DataType.DOUBLE);
        for (String k : t.context().state().keySet()) {
            if (k.endsWith("sampling_offsets.bias") || k.endsWith("sampling_offsets.weight")) {
                t.sameDiff().getArrForVarName(k).addi(Graphs.uniform(11, -0.3, 0.3, t.sameDiff().getArrForVarName(k).shape()));
            }
        }
        TrainingBatch batch = enriched(ToyScenes.batch(batchSize == 1 ? new int[]{0} : new int[]{0, 1}, 32, 32, DataType.DOUBLE), teacherDim);
        Criterion criterion = CriterionGradientTest.criterionOf(t);
        Map<String, INDArray> ph = new HashMap<>();
        ph.put("images", batch.images());
        ph.put(Criterion.PLAIN_TEXT, text);
        Map<String, INDArray> forward = t.sameDiff().output(ph, criterion.matchingOutputs().toArray(new String[0]));
        ph.putAll(criterion.feed(batch, forward, new SplittableRandom(5)));
        GradientCheck.Result r = GradientCheck.check(t.sameDiff(), Criterion.LOSS, ph, 2, 1e-6, 1e-4, 1e-8, true,
                // the head, the decoder's last layer and the loss's own parameters: the rest is covered elsewhere
                n -> !n.startsWith("backbone.") && !n.startsWith("sem_seg_head.pixel_decoder.") && !n.contains("_layers.0.") && !n.contains("_layers.1."));
        System.out.println(what + " gradient check: " + r);
        assertTrue(r.passed() && r.nonTrivial() >= 15, what + ": " + r);
    }

    @Test
    void synonymLossGradients() {
        check(c -> List.of(new SynonymLoss(c, 1.0, 6, false, embedder(24))), "synonym CE (padding masked)");
        check(c -> List.of(new SynonymLoss(c, 1.0, 6, true, embedder(24))), "synonym CE (padding as negatives)");
    }

    @Test
    void textAlignmentGradients() {
        check(c -> List.of(new TextAlignmentLoss(1.0, CLASSES, embedder(24))), "text alignment", 2);
    }

    @Test
    void groundingLossGradients() {
        check(c -> List.of(new org.gkc4j.criterion.GroundingLoss(1.0, 5, 3, embedder(24))), "grounding", 2);
    }

    @Test
    void everyDistillationVariantHasCorrectGradients() {
        for (DistillationLoss.Variant v : DistillationLoss.Variant.values()) {
            DistillationLoss.StudentSource src = v == DistillationLoss.Variant.TEXT_GUIDED ? DistillationLoss.StudentSource.POSTERIOR : DistillationLoss.StudentSource.PRIOR;
            check(c -> List.of(new DistillationLoss(1.0, v, src, 6, 200, CLASSES, embedder(24))), "KD " + v + " " + src);
        }
        check(c -> List.of(new DistillationLoss(1.0, DistillationLoss.Variant.TEXT_GUIDED, DistillationLoss.StudentSource.DIRECT, 24, 200,
                CLASSES, embedder(24))), "KD TEXT_GUIDED DIRECT", 1, 24);
    }

    @Test
    void eachContributionsLossFallsInShortTraining() {
        GkcModelConfig model = TrainerTest.tiny();
        CriterionConfig crit = new CriterionConfig(5, 5, 2, 0.1, 0.0, 64, 3, 0.75, 2, 5, 5, true, 4);
        TrainConfig tc = new TrainConfig(25, 2, 1, 2e-3, 0.0, 1.0, 1.0, TrainConfig.Schedule.CONSTANT, 0, 1.0, List.of(), 0.1, 0.9, 1000, 10, 2);
        Function<List<String>, INDArray> emb = embedder(model.head().embedDim());
        INDArray text = emb.apply(CLASSES).castTo(DataType.FLOAT);
        Trainer t = new Trainer(model, crit, tc, c -> List.of(new MaskLosses.Bce(c), new MaskLosses.Dice(c), new ClassLoss(c),
                new SynonymLoss(c, 2.0, 6, false, emb), new DistillationLoss(2.0, DistillationLoss.Variant.TEXT_GUIDED,
                        DistillationLoss.StudentSource.PRIOR, 6, 200, CLASSES, emb)), Map.of(), text, 32, 32, DataType.FLOAT);
        TrainingBatch batch = enriched(ToyScenes.batch(new int[]{0, 1}, 32, 32, DataType.FLOAT), 6);
        Map<String, Double> first = null, last = null;
        for (int i = 0; i < tc.iterations(); i++) {
            Trainer.StepResult r = t.train(List.of(batch));
            if (i == 0) first = r.terms();
            last = r.terms();
        }
        System.out.println("terms " + first + " -> " + last);
        for (String term : List.of("syn", "kd")) {
            assertTrue(last.get(term) < first.get(term), term + " should fall: " + first.get(term) + " -> " + last.get(term));
        }
    }
}
