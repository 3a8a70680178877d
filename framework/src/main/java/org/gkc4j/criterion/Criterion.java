package org.gkc4j.criterion;

import org.gkc4j.data.TrainingBatch;
import org.gkc4j.model.GkcNetwork;
import org.gkc4j.nn.Scope;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
    private final List<Share> shares = new ArrayList<>();

    /** A loss term of one prediction set. */
    private record Share(int set, LossTerm term) {
    }

    /**
     * A fed step before its normalisers are fixed: the placeholders, and each term's {@link LossTerm#count} by
     * {@code s<set>.<term>} (empty for a term that cannot be split).
     */
    public record Prepared(Map<String, INDArray> placeholders, Map<String, Double> counts) {
    }

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
                // x share: 1 for a whole batch; a shard's count over the whole batch's when a batch is split
                SDVariable share = sd.placeHolder(shareName(s, t), dtype);
                shares.add(new Share(s, t));
                SDVariable v = t.build(set).mul(t.weight()).mul(share);
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

    /** Matches every supervised set and fills every term's placeholders (cast to the graph's type); one generator for all draws. */
    public Map<String, INDArray> feed(TrainingBatch batch, Map<String, INDArray> forward, SplittableRandom rng) {
        Prepared p = prepare(batch, forward, java.util.Collections.nCopies(batch.size(), rng), rng);
        Map<String, INDArray> ph = new HashMap<>(p.placeholders());
        ph.putAll(shares(p.counts(), p.counts()));
        return ph;
    }

    /**
     * Matches every supervised set and fills every term's placeholders except the shares ({@link #shares}); image
     * {@code b} draws from {@code imageRngs.get(b)} only.
     */
    public Prepared prepare(TrainingBatch batch, Map<String, INDArray> forward, List<SplittableRandom> imageRngs, SplittableRandom batchRng) {
        Map<String, INDArray> ph = new HashMap<>();
        Map<String, Double> counts = new LinkedHashMap<>();
        int total = batch.targets().stream().mapToInt(t -> Math.min(t.count(), dims.maxTargets())).sum();
        for (int i = 0; i < supervised.size(); i++) {
            int s = supervised.get(i);
            INDArray masks = forward.get(maskOutputs.get(i)), logits = forward.get(logitOutputs.get(i));
            int[][] matches = match(batch, masks, logits, imageRngs);
            LossTerm.SetFeed f = new LossTerm.SetFeed(s, batch, matches, masks, logits, dims, total, imageRngs, batchRng);
            for (LossTerm t : terms) {
                if (t.weight() != 0) {
                    t.feed(f, ph);
                    t.count(f, ph).ifPresent(c -> counts.put(shareName(s, t), c));
                }
            }
        }
        ph.replaceAll((k, v) -> v.dataType() == dtype || !v.dataType().isFPType() ? v : v.castTo(dtype));
        return new Prepared(ph, counts);
    }

    /**
     * The share placeholders of a batch whose terms have {@code local} counts, within a whole batch with
     * {@code global} counts (the sums over its shards): each term's divisor(local) / divisor(global), so the shards'
     * losses add up to the whole batch's. Equal counts give exactly 1.
     */
    public Map<String, INDArray> shares(Map<String, Double> local, Map<String, Double> global) {
        Map<String, INDArray> out = new HashMap<>();
        for (Share sh : shares) {
            String key = shareName(sh.set(), sh.term());
            Double l = local.get(key), g = global.get(key);
            double v;
            if (l != null && g != null) {
                v = l.equals(g) ? 1.0 : sh.term().divisor(l) / sh.term().divisor(g);
            } else if (local == global) {
                v = 1.0;
            } else {
                throw new IllegalArgumentException("loss term '" + sh.term().name() + "' compares the images of a batch with each other and cannot be split over workers");
            }
            out.put(key, Nd4j.scalar(dtype, v));
        }
        return out;
    }

    private static String shareName(int set, LossTerm t) {
        return "loss.share.s" + set + "." + t.name();
    }

    int[][] match(TrainingBatch batch, INDArray masks, INDArray logits, List<SplittableRandom> imageRngs) {
        int[][] out = new int[batch.size()][];
        for (int b = 0; b < batch.size(); b++) {
            double[][] points = PointSampler.uniform(cfg.points(), imageRngs.get(b));
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
