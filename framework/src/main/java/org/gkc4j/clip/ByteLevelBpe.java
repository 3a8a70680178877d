package org.gkc4j.clip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level byte-pair encoding as CLIP uses it: a word's UTF-8 bytes are mapped to printable characters (GPT-2's
 * byte alphabet), the last symbol gets the end-of-word marker {@code </w>}, and the lowest-ranked adjacent pair is
 * merged until no ranked pair remains.
 */
public final class ByteLevelBpe {
    public static final String END_OF_WORD = "</w>";

    /** The 256 byte characters in vocabulary order: printable bytes first, then the others shifted past 255. */
    public static final char[] BYTE_CHARS;
    /** Byte value to its character. */
    public static final char[] BYTE_TO_CHAR = new char[256];

    static {
        List<Integer> printable = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) printable.add(b);
        for (int b = 0xA1; b <= 0xAC; b++) printable.add(b);
        for (int b = 0xAE; b <= 0xFF; b++) printable.add(b);
        BYTE_CHARS = new char[256];
        int i = 0;
        for (int b : printable) {
            BYTE_CHARS[i++] = (char) b;
            BYTE_TO_CHAR[b] = (char) b;
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable.contains(b)) {
                char c = (char) (256 + n++);
                BYTE_CHARS[i++] = c;
                BYTE_TO_CHAR[b] = c;
            }
        }
    }

    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        for (int b = 0; b < 256; b++) {
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    /** The byte a byte character stands for. */
    public static int byteOf(char c) {
        if (c >= CHAR_TO_BYTE.length || CHAR_TO_BYTE[c] < 0) {
            throw new IllegalArgumentException("not a byte character: " + (int) c);
        }
        return CHAR_TO_BYTE[c];
    }

    private final Map<String, Integer> mergeRanks;
    private final Map<String, String[]> cache = new ConcurrentHashMap<>();

    /** {@code mergeRanks} maps "left right" (one space) to its rank, 0 = merged first. */
    public ByteLevelBpe(Map<String, Integer> mergeRanks) {
        this.mergeRanks = mergeRanks;
    }

    /** The byte characters of a word's UTF-8 encoding. */
    public static String byteChars(String word) {
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            sb.append(BYTE_TO_CHAR[b & 0xff]);
        }
        return sb.toString();
    }

    /** Symbols of one pre-tokenised word after all merges; the last carries {@code </w>}. */
    public String[] encodeWord(String word) {
        return cache.computeIfAbsent(word, this::merge);
    }

    private String[] merge(String word) {
        String chars = byteChars(word);
        List<String> symbols = new ArrayList<>(chars.length());
        for (int i = 0; i < chars.length(); i++) {
            symbols.add(i == chars.length() - 1 ? chars.charAt(i) + END_OF_WORD : String.valueOf(chars.charAt(i)));
        }
        while (symbols.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String bestLeft = null, bestRight = null;
            for (int i = 0; i < symbols.size() - 1; i++) {
                Integer r = mergeRanks.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    bestLeft = symbols.get(i);
                    bestRight = symbols.get(i + 1);
                }
            }
            if (bestLeft == null) {
                break;
            }
            // merge every occurrence of the best pair, left to right, without overlaps
            List<String> next = new ArrayList<>(symbols.size());
            for (int i = 0; i < symbols.size(); i++) {
                if (i < symbols.size() - 1 && symbols.get(i).equals(bestLeft) && symbols.get(i + 1).equals(bestRight)) {
                    next.add(bestLeft + bestRight);
                    i++;
                } else {
                    next.add(symbols.get(i));
                }
            }
            symbols = next;
        }
        return symbols.toArray(new String[0]);
    }

    /** The vocabulary OpenAI's CLIP builds from a merges list: bytes, bytes + </w>, each merge, then the specials. */
    public static List<String> vocabularyFor(List<String[]> merges, String... specials) {
        List<String> vocab = new ArrayList<>(512 + merges.size() + specials.length);
        for (char c : BYTE_CHARS) vocab.add(String.valueOf(c));
        for (char c : BYTE_CHARS) vocab.add(c + END_OF_WORD);
        for (String[] m : merges) vocab.add(m[0] + m[1]);
        vocab.addAll(Arrays.asList(specials));
        return vocab;
    }
}
