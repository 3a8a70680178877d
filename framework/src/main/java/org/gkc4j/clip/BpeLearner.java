package org.gkc4j.clip;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Learns byte-level BPE merges from a corpus with CLIP's pre-tokenisation and end-of-word marker, so the learned
 * merges load through {@link ClipTokenizer} exactly like OpenAI's file: count words, then repeatedly merge the most
 * frequent adjacent pair (ties broken by the pair's text, for determinism).
 */
public final class BpeLearner {
    private BpeLearner() {
    }

    public static List<String[]> learn(Iterable<String> texts, int maxMerges, int minCount) {
        Map<String, Integer> words = new LinkedHashMap<>();
        for (String t : texts) {
            for (String piece : ClipTokenizer.preTokenize(t)) {
                if (piece.equals(ClipTokenizer.START) || piece.equals(ClipTokenizer.END)) {
                    continue;
                }
                words.merge(piece, 1, Integer::sum);
            }
        }
        List<List<String>> symbols = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (var e : words.entrySet()) {
            String chars = ByteLevelBpe.byteChars(e.getKey());
            List<String> s = new ArrayList<>();
            for (int i = 0; i < chars.length(); i++) {
                s.add(i == chars.length() - 1 ? chars.charAt(i) + ByteLevelBpe.END_OF_WORD : String.valueOf(chars.charAt(i)));
            }
            symbols.add(s);
            counts.add(e.getValue());
        }
        List<String[]> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            Map<String, Integer> pairs = new HashMap<>();
            for (int w = 0; w < symbols.size(); w++) {
                List<String> s = symbols.get(w);
                for (int i = 0; i < s.size() - 1; i++) {
                    pairs.merge(s.get(i) + " " + s.get(i + 1), counts.get(w), Integer::sum);
                }
            }
            String best = null;
            int bestCount = 0;
            for (var e : pairs.entrySet()) {
                if (e.getValue() > bestCount || e.getValue() == bestCount && e.getKey().compareTo(best) < 0) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (best == null || bestCount < minCount) {
                break;
            }
            String[] pair = best.split(" ", 2);
            merges.add(pair);
            for (List<String> s : symbols) {
                for (int i = 0; i < s.size() - 1; i++) {
                    if (s.get(i).equals(pair[0]) && s.get(i + 1).equals(pair[1])) {
                        s.set(i, pair[0] + pair[1]);
                        s.remove(i + 1);
                    }
                }
            }
        }
        return merges;
    }
}
