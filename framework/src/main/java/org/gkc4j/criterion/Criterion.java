package org.gkc4j.criterion;

import org.gkc4j.data.TrainingBatch;
import org.gkc4j.model.GkcNetwork;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * GKC's training criterion, kept apart from the network: Hungarian matching per prediction set (outside the graph,
 * on a forward pass's predictions), then the weighted sum of the loss terms over the supervised sets (all of them
 * with deep supervision). Terms are strategies ({@link LossTerm}); text diversification, distillation and grounding
 * add theirs.
 */
public final class Criterion {
    public static final String PLAIN_TEXT = "text.plain";
    public static final String LOSS = "loss";

    private final CriterionConfig cfg;
    private final List<LossTerm> terms;
    private final LossTerm.Dims dims;
    private final HungarianMatcher matcher;
    private final List<Integer> supervised = new ArrayList<>();
    private final List<String> maskOutputs = new ArrayList<>(), logitOutputs = new ArrayList<>();
    private final Map<String, String> termOutputs = new LinkedHashMap<>();
    private final DataType dtype;

    public Criterion(Scope scope, org.gkc4j.model.SegmentationNetwork net, GkcNetwork.Outputs outputs, CriterionConfig cfg, List<LossTerm> terms, LossTerm.Dims dims) {
        this.cfg = cfg;
        this.terms = terms;
        this.dims = dims;
        this.dtype = scope.dtype();
        this.matcher = new HungarianMatcher(cfg);
        SameDiff sd = scope.sd();
        SDVariable text = sd.placeHolder(PLAIN_TEXT, dtype, dims.classes(), dims.embedDim());
        SDVariable classifier = net.head().classifier(text);
        int sets = outputs.sets();
        for (int s = cfg.deepSupervision() ? 0 : sets - 1; s < sets; s++) {
            supervised.add(s);
        }
        Map<String, SDVariable> perTerm = new LinkedHashMap<>();
        SDVariable total = null;
        for (int s : supervised) {
            SDVariable logits = net.head().logits(outputs.embeddings().get(s), classifier, dims.classes() + 1);
            maskOutputs.add(outputs.masks().get(s).name());
            logitOutputs.add(logits.name());
            LossTerm.SetGraph set = new LossTerm.SetGraph(s, sets, scope, outputs, net.head(), dims, logits);
            for (LossTerm t : terms) {
                if (t.weight() == 0) {
                    continue;
                }
                SDVariable v = t.build(set).mul(t.weight());
                perTerm.merge(t.name(), v, SDVariable::add);
                total = total == null ? v : total.add(v);
            }
        }
        if (total == null) {
            throw new IllegalArgumentException("every loss weight is zero");
        }
        total.rename(LOSS);
        sd.setLossVariables(LOSS);
        perTerm.forEach((name, v) -> termOutputs.put(name, v.rename("loss_" + name).name()));
    }

    /** Outputs the forward pass must deliver for matching: masks then plain-name logits of each supervised set. */
    public List<String> matchingOutputs() {
        List<String> out = new ArrayList<>(maskOutputs);
        out.addAll(logitOutputs);
        return out;
    }

    /** Loss-term outputs (weighted, summed over sets) by term name, for logging. */
    public Map<String, String> termOutputs() {
        return termOutputs;
    }

    /** Matches every supervised set and fills every term's placeholders (cast to the graph's type). */
    public Map<String, INDArray> feed(TrainingBatch batch, Map<String, INDArray> forward, SplittableRandom rng) {
        Map<String, INDArray> ph = new HashMap<>();
        int total = batch.targets().stream().mapToInt(t -> Math.min(t.count(), dims.maxTargets())).sum();
        for (int i = 0; i < supervised.size(); i++) {
            int s = supervised.get(i);
            INDArray masks = forward.get(maskOutputs.get(i)), logits = forward.get(logitOutputs.get(i));
            int[][] matches = match(batch, masks, logits, rng);
            LossTerm.SetFeed f = new LossTerm.SetFeed(s, batch, matches, masks, logits, dims, total, rng);
            for (LossTerm t : terms) {
                if (t.weight() != 0) {
                    t.feed(f, ph);
                }
            }
        }
        ph.replaceAll((k, v) -> v.dataType() == dtype || !v.dataType().isFPType() ? v : v.castTo(dtype));
        return ph;
    }

    int[][] match(TrainingBatch batch, INDArray masks, INDArray logits, SplittableRandom rng) {
        double[][] points = PointSampler.uniform(cfg.points(), rng);
        int[][] out = new int[batch.size()][];
        for (int b = 0; b < batch.size(); b++) {
            INDArray m = masks.get(NDArrayIndex.point(b));
            INDArray probs = org.nd4j.linalg.ops.transforms.Transforms.softmax(logits.get(NDArrayIndex.point(b)).castTo(DataType.DOUBLE), true);
            int[] a = matcher.match(m, probs, batch.targets().get(b), points);
            if (a.length > dims.maxTargets()) {
                a = java.util.Arrays.copyOf(a, dims.maxTargets());
            }
            out[b] = a;
        }
        return out;
    }

    public List<Integer> supervisedSets() {
        return supervised;
    }
}
