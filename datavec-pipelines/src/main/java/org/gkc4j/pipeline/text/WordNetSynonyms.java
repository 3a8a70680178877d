package org.gkc4j.pipeline.text;

import org.gkc4j.pipeline.datasets.ClassNames;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.POS;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.data.Word;
import net.sf.extjwnl.dictionary.Dictionary;
import org.gkc4j.GkcException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Synonym candidates of a class name from WordNet 3.0, the way the GKC authors built them: the lemma names of every
 * noun sense of the class name (after {@link ClassNames#processCocoCat}).
 *
 * <p>Rules:
 * <ul>
 *   <li>The name is looked up <b>exactly</b> as a noun: case-insensitive, with spaces standing for WordNet's
 *       underscores ({@code "traffic light"} finds {@code traffic_light}). There is no morphological processing:
 *       extJWNL's {@code lookupIndexWord} would tokenize {@code "potted plant"} and return {@code plant} with its
 *       factory sense, and it would stem plurals ({@code "skis" -> "ski"}). A name WordNet does not hold as a noun
 *       gets an empty list; the override file ({@link SynonymOverrides}) fills such gaps.</li>
 *   <li>Lemmas are written as WordNet spells them in its data files, with underscores for multi-word lemmas
 *       ({@code traffic_light}, {@code human_being}) and original case ({@code TV}), as NLTK's {@code lemma.name()}
 *       returns them to the authors.</li>
 *   <li>Order is deterministic: senses in WordNet's sense order (most frequent first), lemmas in synset order,
 *       first occurrence kept; then the lemma spelled like the looked-up name (exactly if there is one, else
 *       ignoring case: {@code tv} before {@code TV}) is moved to the front.</li>
 * </ul>
 *
 * <p>The dictionary is WordNet 3.0 from the {@code net.sf.extjwnl:extjwnl-data-wn30} jar on the class path (the
 * version NLTK ships). Loading takes about a second; load once and share. Look-ups are synchronized.
 */
public final class WordNetSynonyms implements AutoCloseable {
    /** The WordNet 3.0 configuration inside {@code extjwnl-data-wn30} (named so a WordNet 3.1 jar cannot shadow it). */
    public static final String WN30_PROPERTIES = "/net/sf/extjwnl/data/wordnet/wn30/res_properties.xml";

    private final Dictionary dictionary;

    private WordNetSynonyms(Dictionary dictionary) {
        this.dictionary = dictionary;
    }

    /** WordNet 3.0 from the class path. */
    public static WordNetSynonyms load() {
        if (WordNetSynonyms.class.getResource(WN30_PROPERTIES) == null) {
            throw new GkcException("WordNet 3.0 data not found on the class path (the net.sf.extjwnl:extjwnl-data-wn30 jar)");
        }
        try {
            return new WordNetSynonyms(Dictionary.getResourceInstance(WN30_PROPERTIES));
        } catch (JWNLException e) {
            throw new GkcException("cannot load WordNet 3.0: " + e.getMessage(), e);
        }
    }

    /** The WordNet version of the loaded data, e.g. {@code 3.0}. */
    public String version() {
        return String.valueOf(dictionary.getVersion().getNumber());
    }

    /** Synonym candidates of a dataset class name: {@link ClassNames#processCocoCat} first, then {@link #nounLemmas}. */
    public List<String> synonymsOf(String className) {
        return nounLemmas(ClassNames.processCocoCat(className));
    }

    /**
     * The lemma names of every noun sense of exactly {@code name} (see the class comment for the rules); empty when
     * WordNet has no noun {@code name}.
     */
    public synchronized List<String> nounLemmas(String name) {
        String query = name.strip();
        if (query.isEmpty()) {
            return List.of();
        }
        IndexWord entry = indexWord(query);
        if (entry == null) {
            return List.of();
        }
        Set<String> lemmas = new LinkedHashSet<>();
        for (Synset sense : entry.getSenses()) {
            for (Word w : sense.getWords()) {
                lemmas.add(w.getLemma().replace(' ', '_'));
            }
        }
        List<String> out = new ArrayList<>(lemmas);
        String own = query.replace(' ', '_');
        int at = out.indexOf(own);
        for (int i = 0; at < 0 && i < out.size(); i++) {
            if (out.get(i).equalsIgnoreCase(own)) {
                at = i;
            }
        }
        if (at > 0) {
            out.add(0, out.remove(at));
        }
        return List.copyOf(out);
    }

    /**
     * Whether WordNet knows {@code word} as a noun, allowing inflected forms ({@code giraffes}, {@code mice}): the
     * membership test used to check a tagger's nouns, not a synonym look-up.
     */
    public synchronized boolean isNoun(String word) {
        String w = word.strip();
        if (w.isEmpty() || w.indexOf(' ') >= 0) {
            return false;
        }
        try {
            return dictionary.getMorphologicalProcessor() != null
                    ? !dictionary.getMorphologicalProcessor().lookupAllBaseForms(POS.NOUN, w).isEmpty()
                    : dictionary.getIndexWord(POS.NOUN, w) != null;
        } catch (JWNLException e) {
            throw new GkcException("WordNet look-up of '" + w + "' failed: " + e.getMessage(), e);
        }
    }

    private IndexWord indexWord(String query) {
        try {
            // getIndexWord is the exact look-up: lower-cased, spaces mapped to underscores, no morphology.
            return dictionary.getIndexWord(POS.NOUN, query.replace('_', ' '));
        } catch (JWNLException e) {
            throw new GkcException("WordNet look-up of '" + query + "' failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            dictionary.close();
        } catch (Exception e) {
            // nothing useful to do: the dictionary only holds read-only resources
        }
    }
}
