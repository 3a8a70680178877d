package org.gkc4j.criterion;

import org.gkc4j.data.ImageTargets;
import org.gkc4j.nn.Init;
import org.gkc4j.nn.Linear;
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
 * Knowledge distillation from a frozen CLIP image encoder on region crops (GKC section 4). For each matched
 * segment j, the student vector s_j = normalize(Linear(query)) ({@code kd_proj} for the final prediction set,
 * {@code aux_kd_porj_i} for the others; from the class embedding ("prior") or the projected embedding
 * ("posterior")) is pulled towards the teacher's region vector r_j. Variants (a strategy, for ablations):
 * <ul>
 * <li>{@link Variant#TEXT_GUIDED}: the authors' code, mean over the union of (sigma^2 t_i.t_k - s_i.r_k)^2 for all
 * pairs of one image and ||s_j - r_j||^2, sigma learnable;</li>
 * <li>{@link Variant#TEXT_GUIDED_DISTANCE}: the paper's text, sum over pairs of | ||s_i - r_k|| - ||t_i - t_k|| | / N;</li>
 * <li>{@link Variant#VANILLA}: mean ||s_j - r_j||^2 only;</li>
 * <li>{@link Variant#VISION_GUIDED}: as TEXT_GUIDED with the teacher's own similarities r_i.r_k as the structure
 * instead of the text's.</li>
 * </ul>
 * At most {@code maxInstances} segments per batch (a sorted random subset), the same rows at every prediction set;
 * a segment whose teacher feature is all zeros (no trusted teacher) is left out.
 */
public final class DistillationLoss implements LossTerm {
    public enum Variant { TEXT_GUIDED, TEXT_GUIDED_DISTANCE, VANILLA, VISION_GUIDED }

    /**
     * Where the student vector comes from: a Linear of the class embedding ("prior", the authors' default), a Linear
     * of the projected classification embedding ("posterior"), or that embedding itself ("direct", no projection;
     * needs the teacher's width to equal the text space's).
     */
    public enum StudentSource { PRIOR, POSTERIOR, DIRECT }

    private final double weight;
    private final Variant variant;
    private final StudentSource source;
    private final int teacherDim;
    private final int maxInstances;
    private final Function<List<String>, INDArray> embedder;
    private final List<String> classNames;

    /**
     * @param classNames the plain vocabulary (text of a segment without diversification)
     * @param embedder   text embeddings [n, E] of names
     */
    public DistillationLoss(double weight, Variant variant, StudentSource source, int teacherDim, int maxInstances,
                            List<String> classNames, Function<List<String>, INDArray> embedder) {
        this.weight = weight;
        this.variant = variant;
        this.source = source;
        this.teacherDim = teacherDim;
        this.maxInstances = maxInstances;
        this.classNames = classNames;
        this.embedder = embedder;
    }

    @Override
    public String name() {
        return "kd";
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
        var type = set.scope().dtype();
        SDVariable teacher = LossTerm.sharedPlaceholder(sd, "loss.kd_teacher", type, m, teacherDim);
        SDVariable text = LossTerm.sharedPlaceholder(sd, "loss.kd_text", type, m, d.embedDim());
        SDVariable valid = LossTerm.sharedPlaceholder(sd, "loss.kd_valid", type, m);
        SDVariable pairs = LossTerm.sharedPlaceholder(sd, "loss.kd_pairs", type, m, m);
        SDVariable sigma = LossTerm.shared(sd, "text_kd_logit_scale", () -> set.scope().param("text_kd_logit_scale", Init.ones()));
        SDVariable select = sd.placeHolder(set.name("kd_select"), type, m, (long) d.batch() * d.queries());
        boolean last = set.index() == set.sets() - 1;
        SDVariable query = source == StudentSource.PRIOR ? set.classEmbedding() : set.embedding();
        long qdim = set.scope().shape(query)[2];
        SDVariable picked = select.mmul(query.reshape((long) d.batch() * d.queries(), qdim));
        set.scope().withShape(picked, m, qdim);
        SDVariable student;
        if (source == StudentSource.DIRECT) {
            if (qdim != teacherDim) {
                throw new IllegalArgumentException("direct distillation needs the teacher's width (" + teacherDim + ") to equal the text space's (" + qdim + ")");
            }
            student = picked;
        } else {
            student = new Linear(set.scope().child(last ? "kd_proj" : "aux_kd_porj_" + set.index()), qdim, teacherDim, true).forward(picked);
        }
        SDVariable s = Losses.unitRows(sd, student, 1);                                             // [M, Et], F.normalize
        SDVariable diff = s.sub(teacher);
        SDVariable plain = diff.mul(diff).sum(1).mul(valid);                                       // [M]
        SDVariable sr = s.mmul(teacher.permute(1, 0));                                              // [M, M]: s_i . r_k
        return switch (variant) {
            case VANILLA -> plain.sum().mul(sd.math().reciprocal(sd.math().max(valid.sum(), sd.constant(1.0).castTo(type))));
            case TEXT_GUIDED, VISION_GUIDED -> {
                SDVariable structure = variant == Variant.TEXT_GUIDED ? text.mmul(text.permute(1, 0)) : teacher.mmul(teacher.permute(1, 0));
                SDVariable gap = structure.mul(sigma.mul(sigma)).sub(sr);
                SDVariable pairTerms = gap.mul(gap).mul(pairs).sum();
                SDVariable count = sd.math().max(pairs.sum().add(valid.sum()), sd.constant(1.0).castTo(type));
                yield pairTerms.add(plain.sum()).mul(sd.math().reciprocal(count));
            }
            case TEXT_GUIDED_DISTANCE -> {
                SDVariable dsr = sd.math().sqrt(sd.math().max(sr.mul(-2.0).add(2.0), sd.constant(1e-12).castTo(type)));
                // |t_i - t_k| from the rows themselves: the text rows are normalised with the authors' (|t| + 1e-7), so
                // sqrt(2 - 2 t_i.t_k) would give about 6e-4 instead of 0 for a segment's distance to its own name
                SDVariable dtt = LossTerm.sharedPlaceholder(sd, "loss.kd_text_dist", type, m, m);
                SDVariable abs = sd.math().abs(dsr.sub(dtt)).mul(pairs).sum();
                yield abs.mul(sd.math().reciprocal(sd.math().max(valid.sum(), sd.constant(1.0).castTo(type))));
            }
        };
    }

    @Override
    public void feed(SetFeed f, Map<String, INDArray> ph) {
        Dims d = f.dims();
        int m = d.maxTotalTargets(), q = d.queries();
        double[][] select = new double[m][d.batch() * q];
        boolean first = !ph.containsKey("loss.kd_teacher");
        // rows in batch-major segment order: the same row means the same segment at every prediction set
        List<int[]> rows = new ArrayList<>();
        for (int b = 0; b < d.batch(); b++) {
            ImageTargets t = f.batch().targets().get(b);
            for (int j = 0; j < Math.min(t.count(), d.maxTargets()) && rows.size() < m; j++) {
                rows.add(new int[]{b, j});
            }
        }
        if (first) {
            boolean[] keep = subset(rows.size(), f);
            INDArray teacher = Nd4j.create(DataType.DOUBLE, m, teacherDim);   // Criterion.feed casts to the graph's type
            double[] valid = new double[m];
            double[][] pairs = new double[m][m];
            List<String> texts = new ArrayList<>();
            for (int r = 0; r < m; r++) {
                if (r < rows.size()) {
                    ImageTargets t = f.batch().targets().get(rows.get(r)[0]);
                    int j = rows.get(r)[1];
                    if (t.teacherFeatures() == null) {
                        throw new IllegalStateException("distillation is on but an image has no teacher features");
                    }
                    INDArray tv = t.teacherFeatures().getRow(j).castTo(DataType.DOUBLE);
                    double norm = tv.norm2Number().doubleValue();
                    teacher.putRow(r, tv.div(Math.max(norm, 1e-12)));   // F.normalize, as the authors' teacher rows
                    texts.add(t.vocabulary() != null ? t.vocabulary().get(t.vocabularyTargets()[j]) : classNames.get(t.labels()[j]));
                    valid[r] = keep[r] && norm > 0 ? 1 : 0;    // a zero teacher row: a segment without a teacher
                } else {
                    teacher.putScalar(new long[]{r, 0}, 1.0);
                    texts.add(classNames.get(0));
                }
            }
            for (int a = 0; a < rows.size(); a++) {
                for (int c = 0; c < rows.size(); c++) {
                    if (valid[a] > 0 && valid[c] > 0 && rows.get(a)[0] == rows.get(c)[0]) {
                        pairs[a][c] = 1;
                    }
                }
            }
            INDArray text = embedder.apply(texts).castTo(DataType.DOUBLE);
            text = text.divColumnVector(text.norm2(1).reshape(-1, 1).add(1e-7));
            ph.put("loss.kd_teacher", teacher);
            ph.put("loss.kd_text", text);
            if (variant == Variant.TEXT_GUIDED_DISTANCE) {
                ph.put("loss.kd_text_dist", distances(text));
            }
            ph.put("loss.kd_valid", Nd4j.createFromArray(valid));
            ph.put("loss.kd_pairs", Nd4j.createFromArray(pairs));
        }
        for (int r = 0; r < rows.size(); r++) {
            int b = rows.get(r)[0], qi = f.matches()[b][rows.get(r)[1]];
            if (qi >= 0) {
                select[r][b * q + qi] = 1;
            }
        }
        ph.put(f.name("kd_select"), Nd4j.createFromArray(select));
    }

    @Override
    public java.util.OptionalDouble count(SetFeed f, Map<String, INDArray> ph) {
        double valid = ph.get("loss.kd_valid").sumNumber().doubleValue();
        boolean pairs = variant == Variant.TEXT_GUIDED || variant == Variant.VISION_GUIDED;
        return java.util.OptionalDouble.of(pairs ? valid + ph.get("loss.kd_pairs").sumNumber().doubleValue() : valid);
    }

    /** Euclidean distances between the rows of a [m, E] matrix, from their differences. */
    private static INDArray distances(INDArray rows) {
        int m = (int) rows.size(0);
        double[][] v = rows.toDoubleMatrix();
        double[][] out = new double[m][m];
        for (int a = 0; a < m; a++) {
            for (int c = 0; c < m; c++) {
                double sum = 0;
                for (int i = 0; i < v[a].length; i++) {
                    double diff = v[a][i] - v[c][i];
                    sum += diff * diff;
                }
                out[a][c] = Math.sqrt(sum);
            }
        }
        return Nd4j.createFromArray(out);
    }

    /** Which of n instances to distil: all, or a sorted random subset of maxInstances. */
    private boolean[] subset(int n, SetFeed f) {
        boolean[] keep = new boolean[Math.max(n, f.dims().maxTotalTargets())];
        if (n <= maxInstances) {
            java.util.Arrays.fill(keep, 0, n, true);
            return keep;
        }
        int[] idx = java.util.stream.IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int j = f.rng().nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        for (int i = 0; i < maxInstances; i++) {
            keep[idx[i]] = true;
        }
        return keep;
    }
}
