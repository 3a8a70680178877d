package org.gkc4j.pipeline.text;

import opennlp.tools.postag.POSModel;
import opennlp.tools.postag.POSTagFormat;
import opennlp.tools.postag.POSTaggerME;
import opennlp.tools.tokenize.TokenizerME;
import opennlp.tools.tokenize.TokenizerModel;
import org.gkc4j.GkcException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * The nouns of an English caption, for the grounding loss: the authors tokenise one COCO caption, tag it with a
 * part-of-speech tagger, keep common and proper nouns (singular and plural), then sample a few of them.
 *
 * <p>Tokenizer and tagger are Apache OpenNLP's English models trained on Universal Dependencies English-EWT
 * ({@code org.apache.opennlp:opennlp-models-tokenizer-en} and {@code opennlp-models-pos-en}, found on the class path
 * by their {@code model.properties}). The tagger emits UD tags; {@code NOUN} and {@code PROPN} are kept (UD does not
 * split singular and plural, so both are covered). The authors used NLTK's averaged perceptron (Penn tags
 * {@code NN, NNS, NNP, NNPS}); the two taggers disagree on some words, most visibly adjectives in front of a noun
 * that the EWT model calls nouns ({@code wooden table}, {@code grassy field}). {@link #checkedBy} drops a
 * {@code NOUN} that WordNet does not know as a noun, which removes most of those; proper nouns are kept as tagged.
 *
 * <p>Words are returned as written in the caption, in caption order, repeats included. Instances are thread-safe
 * (each thread gets its own tokenizer and tagger over the shared models).
 */
public final class CaptionNouns {
    /** Noun tags in UD and in the Penn Treebank set (the latter in case a Penn-tagged model is supplied). */
    public static final Set<String> NOUN_TAGS = Set.of("NOUN", "PROPN", "NN", "NNS", "NNP", "NNPS");
    private static final Set<String> PROPER_TAGS = Set.of("PROPN", "NNP", "NNPS");

    /**
     * The authors' noun sampler: each noun is dropped independently with {@code dropProbability} (if that drops them
     * all, all are kept), then at most {@code maxNouns} of the rest are kept, chosen uniformly at random.
     */
    public record Sampling(int maxNouns, double dropProbability) {
        /** The authors' setting: at most 5 nouns, each dropped with probability 0.25. */
        public static final Sampling AUTHORS = new Sampling(5, 0.25);

        public Sampling {
            GkcException.check(maxNouns >= 1, "caption noun sampling: maxNouns must be at least 1, got %d", maxNouns);
            GkcException.check(dropProbability >= 0 && dropProbability <= 1, "caption noun sampling: dropProbability must be in [0, 1], got %s", dropProbability);
        }
    }

    private final TokenizerModel tokenizerModel;
    private final POSModel posModel;
    private final String models;
    private final WordNetSynonyms wordNet;
    private final ThreadLocal<TokenizerME> tokenizer;
    private final ThreadLocal<POSTaggerME> tagger;

    private CaptionNouns(TokenizerModel tokenizerModel, POSModel posModel, String models, WordNetSynonyms wordNet) {
        this.tokenizerModel = tokenizerModel;
        this.posModel = posModel;
        this.models = models;
        this.wordNet = wordNet;
        this.tokenizer = ThreadLocal.withInitial(() -> new TokenizerME(tokenizerModel));
        this.tagger = ThreadLocal.withInitial(() -> new POSTaggerME(posModel, POSTagFormat.UD));
    }

    /** The English UD-EWT tokenizer and tagger from the class path (about half a second). */
    public static CaptionNouns load() {
        String tok = findModel("tokens");
        String pos = findModel("pos");
        try (InputStream t = open(tok); InputStream p = open(pos)) {
            return new CaptionNouns(new TokenizerModel(t), new POSModel(p), tok + ", " + pos, null);
        } catch (IOException e) {
            throw new GkcException("cannot load the OpenNLP English models (" + tok + ", " + pos + "): " + e.getMessage(), e);
        }
    }

    /** The same tagger, keeping a {@code NOUN} only when WordNet knows the word as a noun (proper nouns are kept). */
    public CaptionNouns checkedBy(WordNetSynonyms wordNet) {
        return new CaptionNouns(tokenizerModel, posModel, models, wordNet);
    }

    /** The model files in use, for provenance. */
    public String models() {
        return models + (wordNet == null ? "" : ", nouns checked against WordNet " + wordNet.version());
    }

    /** Every noun of the caption, in order. */
    public List<String> nouns(String caption) {
        if (caption == null || caption.isBlank()) {
            return List.of();
        }
        String[] tokens = tokenizer.get().tokenize(caption.strip());
        String[] tags = tagger.get().tag(tokens);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            if (NOUN_TAGS.contains(tags[i]) && tokens[i].codePoints().anyMatch(Character::isLetter) && passesCheck(tokens[i], tags[i])) {
                out.add(tokens[i]);
            }
        }
        return out;
    }

    /** {@link #nouns} sampled with the authors' setting. */
    public List<String> sample(String caption, RandomGenerator random) {
        return sample(nouns(caption), random, Sampling.AUTHORS);
    }

    public List<String> sample(String caption, RandomGenerator random, Sampling sampling) {
        return sample(nouns(caption), random, sampling);
    }

    /** The sampler alone (see {@link Sampling}); the kept nouns stay in their original order. */
    public static List<String> sample(List<String> nouns, RandomGenerator random, Sampling sampling) {
        List<String> kept = new ArrayList<>();
        for (String n : nouns) {
            if (random.nextDouble() >= sampling.dropProbability()) {
                kept.add(n);
            }
        }
        if (kept.isEmpty()) {
            kept.addAll(nouns);
        }
        int n = kept.size();
        int k = sampling.maxNouns();
        if (n <= k) {
            return List.copyOf(kept);
        }
        int[] idx = new int[n];
        Arrays.setAll(idx, i -> i);
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int[] chosen = Arrays.copyOf(idx, k);
        Arrays.sort(chosen);
        List<String> out = new ArrayList<>(k);
        for (int i : chosen) {
            out.add(kept.get(i));
        }
        return List.copyOf(out);
    }

    private boolean passesCheck(String token, String tag) {
        return wordNet == null || PROPER_TAGS.contains(tag) || wordNet.isNoun(token.toLowerCase(Locale.ROOT));
    }

    /** The newest English UD model of the given kind ({@code tokens}, {@code pos}) named by a {@code model.properties}. */
    private static String findModel(String kind) {
        TreeSet<String> found = new TreeSet<>();
        try {
            Enumeration<URL> urls = CaptionNouns.class.getClassLoader().getResources("model.properties");
            while (urls.hasMoreElements()) {
                Properties p = new Properties();
                try (InputStream in = urls.nextElement().openStream()) {
                    p.load(in);
                }
                String name = p.getProperty("model.name", "");
                if ("en".equals(p.getProperty("model.language")) && name.startsWith("opennlp-en-ud-ewt-" + kind + "-") && name.endsWith(".bin")) {
                    found.add(name);
                }
            }
        } catch (IOException e) {
            throw new GkcException("cannot scan the class path for OpenNLP models: " + e.getMessage(), e);
        }
        if (found.isEmpty()) {
            throw GkcException.of("no OpenNLP English %s model on the class path (org.apache.opennlp:opennlp-models-%s-en)", kind,
                    kind.equals("tokens") ? "tokenizer" : kind);
        }
        return found.last();
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = CaptionNouns.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("resource " + resource + " is named by a model.properties but missing");
        }
        return in;
    }
}
