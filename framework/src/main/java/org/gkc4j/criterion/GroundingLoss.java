package org.gkc4j.criterion;

import org.gkc4j.nn.Attention;
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
 * Image-caption grounding (GKC section 5.2, item 4): the nouns of one caption per image against the matched queries'
 * projected embeddings of that image (at most {@code maxRegions}). For every caption a and image b of the batch,
 * s = tau cos(word, region) and d = tau (1 - cos); words attend over regions and regions over words (softmax of s,
 * masked), G[a,b] averages the attended distances; the loss is the mean of choosing the right caption for each image
 * and the right image for each caption, for both attention directions.
 */
public final class GroundingLoss implements LossTerm {
    private final double weight;
    private final int maxWords;
    private final int maxRegions;
    private final Function<List<String>, INDArray> embedder;

    public GroundingLoss(double weight, int maxWords, int maxRegions, Function<List<String>, INDArray> embedder) {
        this.weight = weight;
        this.maxWords = maxWords;
        this.maxRegions = maxRegions;
        this.embedder = embedder;
    }

    @Override
    public String name() {
        return "ground";
    }

    @Override
    public double weight() {
        return weight;
    }

    @Override
    public SDVariable build(SetGraph set) {
        SameDiff sd = set.scope().sd();
        Dims d = set.dims();
        int b = d.batch(), w = maxWords, r = maxRegions, e = d.embedDim();
        var type = set.scope().dtype();
        SDVariable words = LossTerm.sharedPlaceholder(sd, "loss.ground_words", type, b * w, e);
        SDVariable wordMask = LossTerm.sharedPlaceholder(sd, "loss.ground_word_mask", type, b, w);
        SDVariable select = sd.placeHolder(set.name("ground_select"), type, (long) b * r, (long) b * d.queries());
        SDVariable regionMask = sd.placeHolder(set.name("ground_region_mask"), type, b, r);
        SDVariable regions = Losses.l2Normalize(sd, select.mmul(set.embedding().reshape((long) b * d.queries(), e)), 1);   // [B*R, E]
        SDVariable tau = sd.math().exp(set.head().logitScale());
        SDVariable cos = words.mmul(regions.permute(1, 0)).reshape(b, w, b, r).permute(0, 2, 1, 3);            // [Ba, Bb, W, R]
        SDVariable mw = wordMask.reshape(b, 1, w, 1), mr = regionMask.reshape(1, b, 1, r);
        SDVariable blocked = mw.mul(mr).rsub(1.0).mul(Attention.BLOCKED);
        SDVariable s = cos.mul(tau).add(blocked);
        SDVariable dist = cos.rsub(1.0).mul(tau);
        // softmax as exp(log-softmax): rows that are entirely masked (a caption without nouns, an image without
        // matches) stay finite, where M2.1's softmax turns them into NaN
        SDVariable wordsToRegions = sd.math().exp(Losses.logSoftmax(sd, s, 3)).mul(mw);
        SDVariable regionsToWords = sd.math().exp(Losses.logSoftmax(sd, s, 2)).mul(mr);
        SDVariable nw = sd.math().max(wordMask.sum(true, 1), sd.constant(1.0).castTo(type)).reshape(b, 1);      // per caption a
        SDVariable nr = sd.math().max(regionMask.sum(true, 1), sd.constant(1.0).castTo(type)).reshape(1, b);    // per image b
        SDVariable gwr = wordsToRegions.mul(dist).sum(2, 3).mul(sd.math().reciprocal(nw));                      // [Ba, Bb]
        SDVariable grw = regionsToWords.mul(dist).sum(2, 3).mul(sd.math().reciprocal(nr));
        SDVariable eye = sd.constant(Nd4j.eye(b).castTo(type));
        SDVariable total = null;
        for (SDVariable g : new SDVariable[]{gwr, grw}) {
            for (int dim : new int[]{0, 1}) {
                SDVariable term = Losses.logSoftmax(sd, g.neg(), dim).mul(eye).sum().mul(-1.0 / b);
                total = total == null ? term : total.add(term);
            }
        }
        return total.mul(0.25);
    }

    @Override
    public void feed(SetFeed f, Map<String, INDArray> ph) {
        Dims d = f.dims();
        int b = d.batch(), w = maxWords, r = maxRegions, q = d.queries();
        if (!ph.containsKey("loss.ground_words")) {
            INDArray words = Nd4j.create(DataType.DOUBLE, (long) b * w, d.embedDim());   // Criterion.feed casts to the graph's type
            double[][] mask = new double[b][w];
            for (int i = 0; i < b; i++) {
                List<String> nouns = f.batch().targets().get(i).captionNouns();
                for (int k = 0; k < w; k++) {
                    words.putScalar(new long[]{(long) i * w + k, 0}, 1.0);   // a finite direction for padded rows
                }
                if (nouns.isEmpty()) {
                    continue;
                }
                List<String> used = nouns.subList(0, Math.min(w, nouns.size()));
                INDArray e = embedder.apply(used).castTo(DataType.DOUBLE);
                e = e.divColumnVector(e.norm2(1).reshape(-1, 1).add(1e-7));
                for (int k = 0; k < used.size(); k++) {
                    words.putRow((long) i * w + k, e.getRow(k));
                    mask[i][k] = 1;
                }
            }
            ph.put("loss.ground_words", words);
            ph.put("loss.ground_word_mask", Nd4j.createFromArray(mask));
        }
        double[][] select = new double[b * r][b * q];
        double[][] regionMask = new double[b][r];
        for (int i = 0; i < b; i++) {
            List<Integer> queries = new ArrayList<>();
            for (int qi : f.matches()[i]) {
                if (qi >= 0) {
                    queries.add(qi);
                }
            }
            while (queries.size() > r) {
                queries.remove(f.rng(i).nextInt(queries.size()));
            }
            for (int k = 0; k < queries.size(); k++) {
                select[i * r + k][i * q + queries.get(k)] = 1;
                regionMask[i][k] = 1;
            }
        }
        ph.put(f.name("ground_select"), Nd4j.createFromArray(select));
        ph.put(f.name("ground_region_mask"), Nd4j.createFromArray(regionMask));
    }
}
