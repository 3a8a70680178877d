package org.gkc4j.criterion;

import org.gkc4j.data.ImageTargets;
import org.gkc4j.nn.Attention;
import org.gkc4j.nn.loss.Losses;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * GKC's synonym cross-entropy (text diversification): logits against each image's own diversified vocabulary
 * (class slots renamed to sampled synonyms, extra slots for further synonyms) plus void; matched queries target their
 * segment's slot, the others void (weight {@code voidWeight}); 50 % region dropout as the plain-name loss, with
 * the same matching. Vocabularies are padded to a fixed length; padded rows are masked out, or (the authors'
 * quirk, optional) kept as extra negatives.
 */
public final class SynonymLoss implements LossTerm {
    private final CriterionConfig cfg;
    private final double weight;
    private final int maxVocabulary;
    private final boolean padAsNegatives;
    private final Function<List<String>, INDArray> embedder;
    private final ClassLoss.RegionDropout dropout;

    /**
     * @param embedder text embeddings [n, E] of names (e.g. a {@code TextEmbeddingCache}); the empty string stands
     *                 for a padded row when padded rows are negatives
     */
    public SynonymLoss(CriterionConfig cfg, double weight, int maxVocabulary, boolean padAsNegatives, Function<List<String>, INDArray> embedder) {
        this(cfg, weight, maxVocabulary, padAsNegatives, embedder, ClassLoss.draws(cfg));
    }

    SynonymLoss(CriterionConfig cfg, double weight, int maxVocabulary, boolean padAsNegatives, Function<List<String>, INDArray> embedder,
                ClassLoss.RegionDropout dropout) {
        this.dropout = dropout;
        this.cfg = cfg;
        this.weight = weight;
        this.maxVocabulary = maxVocabulary;
        this.padAsNegatives = padAsNegatives;
        this.embedder = embedder;
    }

    @Override
    public String name() {
        return "syn";
    }

    @Override
    public double weight() {
        return weight;
    }

    @Override
    public SDVariable build(SetGraph set) {
        SameDiff sd = set.scope().sd();
        Dims d = set.dims();
        int l = maxVocabulary;
        SDVariable text = LossTerm.sharedPlaceholder(sd, "loss.syn_text", set.scope().dtype(), d.batch(), l, d.embedDim());
        SDVariable padMask = LossTerm.sharedPlaceholder(sd, "loss.syn_pad", set.scope().dtype(), d.batch(), 1, l + 1);
        SDVariable classifiers = LossTerm.shared(sd, "loss.syn_classifiers", () -> set.head().classifiersPerImage(text, d.batch()).rename("loss.syn_classifiers"));
        SDVariable logits = set.head().logitsPerImage(set.embedding(), classifiers, l + 1).add(padMask);
        long rows = (long) d.batch() * d.queries();
        SDVariable onehot = sd.placeHolder(set.name("syn_onehot"), set.scope().dtype(), rows, l + 1);
        SDVariable weights = sd.placeHolder(set.name("syn_w"), set.scope().dtype(), rows);
        return Losses.weightedCrossEntropy(sd, logits.reshape(rows, l + 1), onehot, weights);
    }

    @Override
    public void feed(SetFeed f, Map<String, INDArray> ph) {
        Dims d = f.dims();
        int l = maxVocabulary;
        if (!ph.containsKey("loss.syn_text")) {
            INDArray text = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, d.batch(), l, d.embedDim());
            double[][][] pad = new double[d.batch()][1][l + 1];
            INDArray padRow = padAsNegatives ? embedder.apply(List.of("")).getRow(0) : null;
            for (int b = 0; b < d.batch(); b++) {
                List<String> vocab = vocabulary(f.batch().targets().get(b));
                if (vocab.size() > l) {
                    throw new IllegalStateException("an image vocabulary of " + vocab.size() + " names exceeds maxVocabulary " + l);
                }
                INDArray e = embedder.apply(vocab);
                text.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, vocab.size()),
                        org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(e);
                for (int k = vocab.size(); k < l; k++) {
                    if (padAsNegatives) {
                        text.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b), org.nd4j.linalg.indexing.NDArrayIndex.point(k),
                                org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(padRow);
                    } else {
                        // a masked row still needs a finite direction for the normalisation; any unit vector will do
                        text.putScalar(new long[]{b, k, 0}, 1.0);
                        pad[b][0][k] = Attention.BLOCKED;
                    }
                }
            }
            ph.put("loss.syn_text", text);
            ph.put("loss.syn_pad", Nd4j.createFromArray(pad));
        }
        INDArray[] t = ClassLoss.targets(f, l, b -> {
            ImageTargets it = f.batch().targets().get(b);
            return it.vocabularyTargets() != null ? it.vocabularyTargets() : it.labels();
        }, cfg.voidWeight(), dropout);
        ph.put(f.name("syn_onehot"), t[0]);
        ph.put(f.name("syn_w"), t[1]);
    }

    @Override
    public java.util.OptionalDouble count(SetFeed f, Map<String, INDArray> ph) {
        return java.util.OptionalDouble.of(ph.get(f.name("syn_w")).sumNumber().doubleValue());
    }

    @Override
    public double divisor(double count) {
        return Math.max(count, 1e-12);   // Losses.weightedCrossEntropy's guard
    }

    /** The image's diversified vocabulary; without one, the plain class list (then this loss equals the plain CE). */
    private List<String> vocabulary(ImageTargets t) {
        if (t.vocabulary() == null) {
            throw new IllegalStateException("text diversification is on but an image has no diversified vocabulary");
        }
        return t.vocabulary();
    }
}
