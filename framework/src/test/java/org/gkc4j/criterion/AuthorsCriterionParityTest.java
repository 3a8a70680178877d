package org.gkc4j.criterion;

import org.gkc4j.nn.exec.GraphExecution;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gkc4j.data.ImageTargets;
import org.gkc4j.data.TrainingBatch;
import org.gkc4j.io.Npy;
import org.gkc4j.model.GkcModelConfig;
import org.gkc4j.model.GkcNetwork;
import org.gkc4j.model.OpenVocabularyHead;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.fix.OpFixes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The criterion's values against the authors' own code (GKC's SetCriterion, HungarianMatcher and model losses,
 * detectron2's PointRend sampling) run in PyTorch float64 on fixed inputs: reference/authors-criterion, made by
 * src/test/python/authors_criterion_reference.py. DOUBLE gradient checks and falling losses cannot tell a smooth
 * but wrong formula (target, temperature, normaliser, teacher direction) from the right one; these values can.
 * The authors' random draws (matcher and loss points, region dropout) are in the fixture and reach the classes
 * through their draw seams. Two prediction sets: 1 is the final one, 0 an auxiliary one with its own matching.
 */
class AuthorsCriterionParityTest {
    /** Relative tolerance: float64 on both sides, different summation orders. */
    static final double TOL = 1e-9;
    private static Path dir;
    private static JsonNode meta;
    private static int b, q, k, h, w, e, d, t;
    private static int[] counts;

    @BeforeAll
    static void load() throws IOException, URISyntaxException {
        URL url = AuthorsCriterionParityTest.class.getResource("/reference/authors-criterion/meta.json");
        Assumptions.assumeTrue(url != null, "reference/authors-criterion is missing (run src/test/python/authors_criterion_reference.py)");
        dir = Path.of(url.toURI()).getParent();
        meta = new ObjectMapper().readTree(url);
        b = meta.get("B").asInt();
        q = meta.get("Q").asInt();
        k = meta.get("K").asInt();
        h = meta.get("H").asInt();
        w = meta.get("W").asInt();
        e = meta.get("E").asInt();
        d = meta.get("D").asInt();
        t = meta.get("T").asInt();
        counts = new int[b];
        for (int i = 0; i < b; i++) {
            counts[i] = meta.get("counts").get(i).asInt();
        }
        OpFixes.install();
    }

    // ------------------------------------------------------------------ (a) point-sampled mask BCE and dice

    @Test
    void maskBceAndDiceOnTheAuthorsPointsNormalisedByTheNumberOfMasks() {
        for (int s = 0; s < 2; s++) {
            INDArray points = arr("loss_points_s" + s);   // [M, P, 2] in the authors' order: image, then query
            int set = s;
            MaskLosses.PointChoice given = (f, img, seg, logits, hh, ww) -> {
                int row = matchedRow(set, img, seg);
                return new double[][]{points.get(NDArrayIndex.point(row), NDArrayIndex.all(), NDArrayIndex.point(0)).toDoubleVector(),
                        points.get(NDArrayIndex.point(row), NDArrayIndex.all(), NDArrayIndex.point(1)).toDoubleVector()};
            };
            Graph g = new Graph(null);
            LossTerm.SetGraph sg = g.set(s);
            MaskLosses.Bce bce = new MaskLosses.Bce(config(), given);
            MaskLosses.Dice dice = new MaskLosses.Dice(config(), given);
            SDVariable vb = bce.build(sg), vd = dice.build(sg);
            LossTerm.SetFeed f = g.feed(s);
            bce.feed(f, g.ph);
            dice.feed(f, g.ph);
            check("mask BCE set " + s, scalar("loss_mask_s" + s), g.eval(vb));
            check("dice set " + s, scalar("loss_dice_s" + s), g.eval(vd));
        }
    }

    // ------------------------------------------------------------------ (b) plain-name CE, void weight, region dropout

    @Test
    void classLossWithVoidWeightAndRegionDropoutOnCosineLogits() {
        for (int s = 0; s < 2; s++) {
            for (boolean drop : new boolean[]{false, true}) {
                Graph g = new Graph(null);
                LossTerm.SetGraph sg = g.set(s);
                ClassLoss ce = new ClassLoss(config(), drop ? dropout("ce_dropout_draws_s" + s, s) : (f, img, seg, qq) -> false);
                SDVariable v = ce.build(sg);
                ce.feed(g.feed(s), g.ph);
                check("plain logits set " + s, arr("plain_logits_s" + s), g.evalArray(sg.plainLogits()));
                check("class CE set " + s + (drop ? " with dropout" : ""), scalar((drop ? "ce_drop_s" : "ce_nodrop_s") + s), g.eval(v));
            }
        }
    }

    // ------------------------------------------------------------------ (c) matcher cost and assignment

    @Test
    void matcherCostMatrixAndAssignmentOnTheAuthorsPoints() {
        HungarianMatcher matcher = new HungarianMatcher(config());
        TrainingBatch batch = batch();
        for (int s = 0; s < 2; s++) {
            INDArray masks = arr("pred_masks_s" + s), logits = arr("plain_logits_s" + s);
            for (int i = 0; i < b; i++) {
                INDArray pts = arr("match_points_s" + s + "_" + i);
                double[][] points = {pts.getColumn(0).toDoubleVector(), pts.getColumn(1).toDoubleVector()};
                INDArray probs = Transforms.softmax(logits.get(NDArrayIndex.point(i)).dup(), true);
                ImageTargets ti = batch.targets().get(i);
                double[][] cost = matcher.cost(masks.get(NDArrayIndex.point(i)).dup(), probs, ti, points);
                check("matcher cost set " + s + " image " + i, arr("cost_s" + s + "_" + i), Nd4j.createFromArray(cost).transpose());
                assertArrayEquals(matches(s)[i], matcher.match(masks.get(NDArrayIndex.point(i)).dup(), probs, ti, points),
                        "assignment set " + s + " image " + i);
            }
        }
    }

    // ------------------------------------------------------------------ (d) distillation, every variant

    @Test
    void distillationVariantsAgainstTheAuthorsLossTextKd() {
        Map<DistillationLoss.Variant, String> reference = new java.util.LinkedHashMap<>();
        reference.put(DistillationLoss.Variant.TEXT_GUIDED, "kd_text_guided_s");             // loss_text_kd, merged
        reference.put(DistillationLoss.Variant.VANILLA, "kd_vanilla_s");                     // loss_text_kd's plain term (TEXT_KD_WEIGHT > 0)
        reference.put(DistillationLoss.Variant.VISION_GUIDED, "kd_vision_guided_s");         // loss_text_kd, teacher rows as the text
        reference.put(DistillationLoss.Variant.TEXT_GUIDED_DISTANCE, "kd_text_distance_s");  // the paper's formula (no code released)
        for (var v : reference.entrySet()) {
            for (int s = 0; s < 2; s++) {
                Map<String, INDArray> weights = new HashMap<>();
                String proj = s == 1 ? "kd_proj" : "aux_kd_porj_" + s;
                weights.put(proj + ".weight", arr("kd_proj_w_s" + s));
                weights.put(proj + ".bias", arr("kd_proj_b_s" + s));
                weights.put("text_kd_logit_scale", Nd4j.scalar(meta.get("sigma").asDouble()));
                Graph g = new Graph(weights);
                DistillationLoss kd = new DistillationLoss(1.0, v.getKey(), DistillationLoss.StudentSource.PRIOR, t, 200, classNames(), embedder());
                SDVariable out = kd.build(g.set(s));
                kd.feed(g.feed(s), g.ph);
                check("KD " + v.getKey() + " set " + s, scalar(v.getValue() + s), g.eval(out));
            }
        }
    }

    // ------------------------------------------------------------------ (e) synonym CE

    @Test
    void synonymLossAgainstTheAuthorsPerImageVocabularyCrossEntropy() {
        for (int s = 0; s < 2; s++) {
            Graph g = new Graph(null);
            SynonymLoss syn = new SynonymLoss(config(), 1.0, meta.get("max_vocabulary").asInt(), true, embedder(),
                    dropout("syn_dropout_draws_s" + s, s));
            SDVariable v = syn.build(g.set(s));
            syn.feed(g.feed(s), g.ph);
            check("synonym CE set " + s, scalar("syn_drop_s" + s), g.eval(v));
        }
    }

    // ------------------------------------------------------------------ (f) grounding

    @Test
    void groundingLossAgainstTheAuthorsGroundingHead() {
        for (int s = 0; s < 2; s++) {
            Graph g = new Graph(null);
            GroundingLoss gl = new GroundingLoss(1.0, meta.get("max_words").asInt(), Arrays.stream(counts).max().orElseThrow(), embedder());
            SDVariable v = gl.build(g.set(s));
            gl.feed(g.feed(s), g.ph);
            check("grounding set " + s, scalar("grounding_s" + s), g.eval(v));
        }
    }

    // ------------------------------------------------------------------ (g) PointRend's uncertain points

    @Test
    void uncertainPointsAgainstGetUncertainPointCoordsWithRandomness() {
        INDArray masks = arr("pred_masks_s1"), cand = arr("uncertain_candidates"), fresh = arr("uncertain_fresh"), ref = arr("uncertain_points");
        int p = meta.get("loss_points").asInt(), important = (int) (meta.get("importance").asDouble() * p);
        int row = 0;
        for (int i = 0; i < b; i++) {
            long[] src = arr("match_src_s1_" + i).toLongVector();
            for (long qq : src) {
                float[] logits = masks.get(NDArrayIndex.point(i), NDArrayIndex.point(qq)).dup('c').data().asFloat();
                double[] draws = concat(cand.get(NDArrayIndex.point(row)).dup('c').reshape(-1).toDoubleVector(),
                        fresh.get(NDArrayIndex.point(row)).dup('c').reshape(-1).toDoubleVector());
                int[] next = {0};
                double[][] got = PointSampler.uncertain(logits, h, w, p, meta.get("oversample").asDouble(), meta.get("importance").asDouble(),
                        () -> draws[next[0]++]);
                assertEquals(draws.length, next[0], "every draw used once");
                double[][] want = new double[p][];
                double[][] mine = new double[p][];
                for (int j = 0; j < p; j++) {
                    want[j] = new double[]{ref.getDouble(row, j, 0), ref.getDouble(row, j, 1)};
                    mine[j] = new double[]{got[0][j], got[1][j]};
                }
                // the important points as a set (topk orders them by uncertainty, ours by draw), then the fresh ones in order
                java.util.Comparator<double[]> byXy = java.util.Comparator.<double[]>comparingDouble(a -> a[0]).thenComparingDouble(a -> a[1]);
                Arrays.sort(want, 0, important, byXy);
                Arrays.sort(mine, 0, important, byXy);
                for (int j = 0; j < p; j++) {
                    assertArrayEquals(want[j], mine[j], 0.0, "mask " + row + " point " + j);
                }
                row++;
            }
        }
    }

    // ------------------------------------------------------------------ fixture plumbing

    private static CriterionConfig config() {
        return new CriterionConfig(5, 5, 2, meta.get("no_object_weight").asDouble(), meta.get("region_dropout").asDouble(),
                meta.get("loss_points").asInt(), meta.get("oversample").asDouble(), meta.get("importance").asDouble(), 2, 5, 5, true,
                Arrays.stream(counts).max().orElseThrow());
    }

    private static INDArray arr(String name) {
        INDArray a = Npy.read(dir.resolve(name + ".npy"));
        return a.dataType().isFPType() ? a.castTo(DataType.DOUBLE) : a;
    }

    private static double scalar(String name) {
        return arr(name).getDouble(0);
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> classNames() {
        return strings(meta.get("class_names"));
    }

    /** Text embeddings by name from the fixture's table (the empty name is the authors' padded vocabulary row). */
    private static Function<List<String>, INDArray> embedder() {
        List<String> table = strings(meta.get("name_table"));
        INDArray rows = arr("name_table");
        return names -> {
            INDArray out = Nd4j.create(DataType.DOUBLE, names.size(), e);
            for (int i = 0; i < names.size(); i++) {
                int r = table.indexOf(names.get(i));
                if (r < 0) {
                    throw new IllegalArgumentException("no embedding for '" + names.get(i) + "'");
                }
                out.putRow(i, rows.getRow(r));
            }
            return out;
        };
    }

    /** Targets with their diversified vocabularies, teacher rows and caption nouns. */
    private static TrainingBatch batch() {
        List<ImageTargets> ts = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            int[] labels = Arrays.stream(arr("labels_" + i).toLongVector()).mapToInt(x -> (int) x).toArray();
            int[] syn = Arrays.stream(arr("syn_targets_" + i).toLongVector()).mapToInt(x -> (int) x).toArray();
            ts.add(ImageTargets.plain(arr("gt_masks_" + i), labels)
                    .withVocabulary(strings(meta.get("vocabularies").get(i)), syn)
                    .withTeacher(arr("teacher_" + i))
                    .withCaptionNouns(strings(meta.get("caption_nouns").get(i))));
        }
        return new TrainingBatch(Nd4j.zeros(DataType.DOUBLE, b, 3, h, w), ts);
    }

    /** The authors' matching of set s as the query of each segment. */
    private static int[][] matches(int s) {
        int[][] m = new int[b][];
        for (int i = 0; i < b; i++) {
            long[] src = arr("match_src_s" + s + "_" + i).toLongVector(), tgt = arr("match_tgt_s" + s + "_" + i).toLongVector();
            m[i] = new int[counts[i]];
            Arrays.fill(m[i], -1);
            for (int j = 0; j < src.length; j++) {
                m[i][(int) tgt[j]] = (int) src[j];
            }
        }
        return m;
    }

    /** Row of segment (image, seg) among the authors' matched pairs of set s (image-major, query order). */
    private static int matchedRow(int s, int image, int seg) {
        int row = 0;
        for (int i = 0; i < image; i++) {
            row += counts[i];
        }
        long[] tgt = arr("match_tgt_s" + s + "_" + image).toLongVector();
        for (int j = 0; j < tgt.length; j++) {
            if (tgt[j] == seg) {
                return row + j;
            }
        }
        throw new IllegalStateException("segment " + seg + " of image " + image + " is not matched");
    }

    /** The authors' region-dropout draws (one per matched pair, image-major, query order): dropped below the rate. */
    private static ClassLoss.RegionDropout dropout(String draws, int s) {
        double[] u = arr(draws).toDoubleVector();
        double rate = meta.get("region_dropout").asDouble();
        return (f, image, seg, query) -> u[matchedRow(s, image, seg)] < rate;
    }

    private static double[] concat(double[] a, double[] c) {
        double[] out = Arrays.copyOf(a, a.length + c.length);
        System.arraycopy(c, 0, out, a.length, c.length);
        return out;
    }

    private static void check(String what, double expected, double actual) {
        check(what, Nd4j.scalar(expected), Nd4j.scalar(actual));
    }

    private static void check(String what, INDArray expected, INDArray actual) {
        INDArray a = actual.castTo(DataType.DOUBLE).reshape(expected.shape());
        double rel = a.sub(expected).amaxNumber().doubleValue() / Math.max(expected.amaxNumber().doubleValue(), 1e-30);
        System.out.printf("authors parity %-40s max rel err %.3e%n", what, rel);
        assertTrue(rel <= TOL, what + ": relative error " + rel + " (expected " + expected + ", got " + a + ")");
    }

    /**
     * One DOUBLE graph with both prediction sets' predictions as placeholders (masks, class embeddings, projected
     * embeddings), the head with the fixture's void embedding and logit scale, and the plain-name text.
     */
    private static final class Graph {
        final GraphContext ctx;
        final Map<String, INDArray> ph = new HashMap<>();
        final GkcNetwork.Outputs outputs;
        final OpenVocabularyHead head;
        final SDVariable classifier;

        Graph(Map<String, INDArray> extraWeights) {
            Map<String, INDArray> weights = new HashMap<>();
            if (extraWeights != null) {
                weights.putAll(extraWeights);
            }
            weights.put("non_object_embedding", arr("void").reshape(1, e));
            weights.put("logit_scale", arr("logit_scale").reshape());
            ctx = GraphContext.builder().dtype(DataType.DOUBLE).seed(1).weights(weights).build();
            GkcModelConfig base = GkcModelConfig.defaults();
            GkcModelConfig cfg = new GkcModelConfig(base.backbone(), base.pixelDecoder(), new GkcModelConfig.Decoder(d, q, 2, 16, 2, 0, 0),
                    new GkcModelConfig.Head(e, 0.0, true, 0.1));
            head = new OpenVocabularyHead(ctx.root(), cfg);
            List<SDVariable> masks = new ArrayList<>(), classEmb = new ArrayList<>(), emb = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                masks.add(placeholder("masks" + s, arr("pred_masks_s" + s)));
                classEmb.add(placeholder("class" + s, arr("class_embed_s" + s)));
                emb.add(placeholder("embed" + s, arr("embed_s" + s)));
            }
            outputs = new GkcNetwork.Outputs(masks, classEmb, emb, masks.get(0));
            classifier = head.classifier(placeholder("text_plain", arr("text_plain")));
        }

        private SDVariable placeholder(String name, INDArray value) {
            ph.put(name, value);
            return ctx.withShape(ctx.sd().placeHolder(name, DataType.DOUBLE, value.shape()), value.shape());
        }

        LossTerm.SetGraph set(int s) {
            SDVariable logits = head.logits(outputs.embeddings().get(s), classifier, k + 1);
            return new LossTerm.SetGraph(s, 2, ctx.root(), outputs, head, dims(), logits);
        }

        LossTerm.SetFeed feed(int s) {
            int total = Arrays.stream(counts).sum();
            return new LossTerm.SetFeed(s, batch(), matches(s), arr("pred_masks_s" + s), arr("plain_logits_s" + s), dims(), total,
                    new SplittableRandom(1));
        }

        private LossTerm.Dims dims() {
            return new LossTerm.Dims(b, q, h, w, Arrays.stream(counts).max().orElseThrow(), meta.get("loss_points").asInt(), k, e);
        }

        double eval(SDVariable v) {
            return evalArray(v).getDouble(0);
        }

        INDArray evalArray(SDVariable v) {
            Map<String, INDArray> all = new HashMap<>(ph);
            all.replaceAll((key, a) -> a.dataType().isFPType() ? a.castTo(DataType.DOUBLE) : a);
            return GraphExecution.output(ctx.sd(), all, v.name()).get(v.name());
        }
    }
}
