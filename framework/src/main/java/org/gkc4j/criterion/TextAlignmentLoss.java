package org.gkc4j.criterion;

import org.gkc4j.data.ImageTargets;
import org.gkc4j.nn.loss.Losses;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * An addition to GKC's criterion (off unless {@code alignment.enabled}): every matched query's normalised embedding
 * is pulled onto the normalised text embedding of its segment's name (the diversified synonym when text
 * diversification gave one), mean ||v - t||^2 = 2 - 2 cos over matched segments. Why: cross-entropy over the seen
 * names only ranks them, so an embedding may drift anywhere the seen names do not compete, which is where the
 * unseen names sit; in the built-in world seen objects of one colour get called by that colour's unseen name
 * (docs/demo-results.md). The text space of compositional names is nearly additive, so an embedding that lands on its
 * name rather than merely nearest to it among the seen ones is the one that can extrapolate.
 */
public final class TextAlignmentLoss implements LossTerm {
    private final double weight;
    private final List<String> classNames;
    private final Function<List<String>, INDArray> embedder;

    /**
     * @param classNames the plain vocabulary (a segment's name without diversification)
     * @param embedder   text embeddings [n, E] of names
     */
    public TextAlignmentLoss(double weight, List<String> classNames, Function<List<String>, INDArray> embedder) {
        this.weight = weight;
        this.classNames = classNames;
        this.embedder = embedder;
    }

    @Override
    public String name() {
        return "align";
    }

    @Override
    public double weight() {
        return weight;
    }

    @Override
    public SDVariable build(SetGraph set) {
        SameDiff sd = set.scope().sd();
        Dims d = set.dims();
        int m = d.maxTotalTargets();
        DataType type = set.scope().dtype();
        SDVariable text = LossTerm.sharedPlaceholder(sd, "loss.align_text", type, m, d.embedDim());
        SDVariable select = sd.placeHolder(set.name("align_select"), type, m, (long) d.batch() * d.queries());
        SDVariable rowWeights = sd.placeHolder(set.name("align_w"), type, m);
        SDVariable picked = select.mmul(set.embedding().reshape((long) d.batch() * d.queries(), d.embedDim()));
        set.scope().withShape(picked, m, d.embedDim());
        SDVariable diff = Losses.l2Normalize(sd, picked, 1).sub(text);
        return diff.mul(diff).sum(1).mul(rowWeights).sum();
    }

    @Override
    public void feed(SetFeed f, Map<String, INDArray> ph) {
        Dims d = f.dims();
        int m = d.maxTotalTargets(), q = d.queries();
        double[][] select = new double[m][d.batch() * q];
        double[] rowWeights = new double[m];
        List<String> names = new ArrayList<>();
        List<int[]> matched = new ArrayList<>();
        for (int b = 0; b < d.batch(); b++) {
            ImageTargets t = f.batch().targets().get(b);
            int[] match = f.matches()[b];
            for (int j = 0; j < Math.min(t.count(), match.length) && names.size() < m; j++) {
                names.add(t.vocabulary() != null ? t.vocabulary().get(t.vocabularyTargets()[j]) : classNames.get(t.labels()[j]));
                matched.add(new int[]{b, match[j]});
            }
        }
        long used = matched.stream().filter(r -> r[1] >= 0).count();
        for (int r = 0; r < matched.size(); r++) {
            int b = matched.get(r)[0], qi = matched.get(r)[1];
            if (qi >= 0) {
                select[r][b * q + qi] = 1;
                rowWeights[r] = 1.0 / used;
            }
        }
        ph.put(f.name("align_select"), Nd4j.createFromArray(select));
        ph.put(f.name("align_w"), Nd4j.createFromArray(rowWeights));
        if (!ph.containsKey("loss.align_text")) {
            INDArray text = Nd4j.create(DataType.FLOAT, m, d.embedDim());
            if (!names.isEmpty()) {
                INDArray e = embedder.apply(names).castTo(DataType.FLOAT);
                text.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, names.size()), org.nd4j.linalg.indexing.NDArrayIndex.all())
                        .assign(e.divColumnVector(e.norm2(1).reshape(-1, 1).add(1e-7)));
            }
            ph.put("loss.align_text", text);
        }
    }

    @Override
    public java.util.OptionalDouble count(SetFeed f, Map<String, INDArray> ph) {
        double used = 0;
        for (double w : ph.get(f.name("align_w")).toDoubleVector()) {
            used += w > 0 ? 1 : 0;
        }
        return java.util.OptionalDouble.of(used);
    }
}
