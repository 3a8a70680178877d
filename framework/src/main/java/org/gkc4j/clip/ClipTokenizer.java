package org.gkc4j.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gkc4j.GkcException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.jsoup.parser.Parser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * CLIP's tokenizer: text cleanup (ftfy-style fixes, HTML unescaped twice, whitespace collapsed, lower case), the
 * pre-tokenisation regex, byte-level BPE, and the fixed-context layout (start token, ids, end token, zero padding).
 * Loads OpenAI's merges file ({@code bpe_simple_vocab_16e6.txt.gz}, gzipped or plain) or a Hugging Face
 * {@code vocab.json} + {@code merges.txt} pair.
 */
public final class ClipTokenizer {
    public static final String START = "<|startoftext|>";
    public static final String END = "<|endoftext|>";
    public static final int CONTEXT_LENGTH = 77;
    /** OpenAI's CLIP keeps the first 49152 - 256 - 2 merges of its file: 49,408 tokens in all. */
    public static final int OPENAI_MERGES = 49152 - 256 - 2;

    private static final Pattern PRE_TOKEN = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private final Map<String, Integer> encoder;
    private final List<String> decoder;
    private final ByteLevelBpe bpe;
    private final List<String[]> merges;
    private final int startId;
    private final int endId;

    private ClipTokenizer(Map<String, Integer> encoder, List<String[]> merges) {
        this.encoder = encoder;
        this.merges = merges;
        Map<String, Integer> ranks = new HashMap<>();
        for (int i = 0; i < merges.size(); i++) {
            ranks.putIfAbsent(merges.get(i)[0] + " " + merges.get(i)[1], i);
        }
        this.bpe = new ByteLevelBpe(ranks);
        String[] byId = new String[encoder.size()];
        encoder.forEach((tok, id) -> {
            if (id < 0 || id >= byId.length) {
                throw GkcException.of("tokenizer vocabulary ids are not 0..%d (found %d for '%s')", byId.length - 1, id, tok);
            }
            byId[id] = tok;
        });
        this.decoder = List.of(byId);
        Integer s = encoder.get(START), e = encoder.get(END);
        if (s == null || e == null) {
            throw GkcException.of("tokenizer vocabulary lacks %s or %s", START, END);
        }
        this.startId = s;
        this.endId = e;
    }

    /** Builds the tokenizer for a merges list, with OpenAI's vocabulary layout. */
    public static ClipTokenizer fromMerges(List<String[]> merges) {
        List<String> vocab = ByteLevelBpe.vocabularyFor(merges, START, END);
        Map<String, Integer> enc = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            enc.put(vocab.get(i), i);
        }
        return new ClipTokenizer(enc, merges);
    }

    /**
     * Loads {@code path}: a merges file in OpenAI's format (optionally gzipped; a version line, then one
     * "left right" merge per line), or a folder / {@code vocab.json} whose sibling {@code merges.txt} completes a
     * Hugging Face pair.
     */
    public static ClipTokenizer load(Path path) {
        if (Files.isDirectory(path)) {
            return loadHuggingFace(path.resolve("vocab.json"), path.resolve("merges.txt"));
        }
        if (path.getFileName().toString().endsWith(".json")) {
            return loadHuggingFace(path, path.resolveSibling("merges.txt"));
        }
        List<String[]> merges = readMerges(path);
        if (merges.size() > OPENAI_MERGES) {
            merges = new ArrayList<>(merges.subList(0, OPENAI_MERGES));
        }
        return fromMerges(merges);
    }

    private static ClipTokenizer loadHuggingFace(Path vocabJson, Path mergesTxt) {
        Map<String, Integer> enc = new HashMap<>();
        try {
            JsonNode root = new ObjectMapper().readTree(vocabJson.toFile());
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                enc.put(e.getKey(), e.getValue().asInt());
            }
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            throw GkcException.of("tokenizer vocabulary not found: %s", vocabJson);
        } catch (IOException e) {
            throw GkcException.of("tokenizer vocabulary %s is not valid JSON: %s", vocabJson, e.getMessage().split("\n")[0]);
        }
        return new ClipTokenizer(enc, readMerges(mergesTxt));
    }

    static List<String[]> readMerges(Path path) {
        List<String[]> merges = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(path);
             InputStream in = path.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && (line.startsWith("#") || line.contains("#version"))) {
                    continue; // the version line (OpenAI's reads "bpe_simple_vocab_16e6.txt#version: 0.2)
                }
                if (line.isEmpty()) {
                    continue;
                }
                String[] parts = line.split(" ");
                if (parts.length != 2) {
                    throw GkcException.of("merges file %s line %d is not 'left right': '%s'", path, lineNo, line);
                }
                merges.add(parts);
            }
        } catch (NoSuchFileException e) {
            throw GkcException.of("tokenizer merges file not found: %s", path);
        } catch (IOException e) {
            throw GkcException.of("cannot read merges file %s: %s", path, e.getMessage());
        }
        if (merges.isEmpty()) {
            throw GkcException.of("merges file %s holds no merges", path);
        }
        return merges;
    }

    /** Writes the merges in OpenAI's format (a version line, then one merge per line). */
    public static void writeMerges(Path path, List<String[]> merges) {
        StringBuilder sb = new StringBuilder("#version: 0.2\n");
        for (String[] m : merges) {
            sb.append(m[0]).append(' ').append(m[1]).append('\n');
        }
        org.gkc4j.io.AtomicFiles.writeString(path, sb.toString());
    }

    /** OpenAI's cleanup: ftfy-style fixes, HTML unescaped twice, whitespace collapsed and trimmed, lower case. */
    public static String clean(String text) {
        String t = fixText(text);
        t = Parser.unescapeEntities(Parser.unescapeEntities(t, false), false).strip();
        t = WHITESPACE.matcher(t).replaceAll(" ").strip();
        return t.toLowerCase(Locale.ROOT);
    }

    /**
     * The parts of ftfy.fix_text that change clean (non-mojibake) text: curly quotes straightened, Latin ligatures
     * and full-width characters expanded, control characters dropped, NFC. Mojibake repair is not attempted.
     */
    static String fixText(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            switch (cp) {
                case 0x2018, 0x2019, 0x201A, 0x201B, 0x2032 -> sb.append('\'');
                case 0x201C, 0x201D, 0x201E, 0x201F, 0x2033 -> sb.append('"');
                case 0xFB00 -> sb.append("ff");
                case 0xFB01 -> sb.append("fi");
                case 0xFB02 -> sb.append("fl");
                case 0xFB03 -> sb.append("ffi");
                case 0xFB04 -> sb.append("ffl");
                case 0xFB05, 0xFB06 -> sb.append("st");
                case 0x0132 -> sb.append("IJ");
                case 0x0133 -> sb.append("ij");
                default -> {
                    if (cp >= 0xFF01 && cp <= 0xFF5E) {
                        sb.append((char) (cp - 0xFF01 + 0x21));
                    } else if (cp == 0x3000) {
                        sb.append(' ');
                    } else if (Character.getType(cp) == Character.CONTROL && cp != '\n' && cp != '\t' && cp != '\r' && cp != 0x0C) {
                        // ftfy removes control characters other than whitespace
                    } else {
                        sb.appendCodePoint(cp);
                    }
                }
            }
        });
        return Normalizer.normalize(sb, Normalizer.Form.NFC);
    }

    /** The pre-tokenised pieces of a cleaned text (words, single digits, punctuation runs, special tokens). */
    public static List<String> preTokenize(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PRE_TOKEN.matcher(clean(text));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** BPE ids of a text, without start and end tokens. */
    public List<Integer> encode(String text) {
        List<Integer> ids = new ArrayList<>();
        Matcher m = PRE_TOKEN.matcher(clean(text));
        while (m.find()) {
            String piece = m.group();
            if (piece.equals(START) || piece.equals(END)) {
                ids.add(encoder.get(piece));
                continue;
            }
            for (String sym : bpe.encodeWord(piece)) {
                Integer id = encoder.get(sym);
                if (id == null) {
                    throw GkcException.of("token '%s' of '%s' is missing from the tokenizer vocabulary", sym, text);
                }
                ids.add(id);
            }
        }
        return ids;
    }

    /** One row: start, ids, end, zeros; too long keeps the first {@code context} with the last set to end. */
    public int[] tokenize(String text, int context) {
        List<Integer> ids = encode(text);
        int[] row = new int[context];
        row[0] = startId;
        int n = Math.min(ids.size(), context - 2);
        for (int i = 0; i < n; i++) {
            row[i + 1] = ids.get(i);
        }
        row[n + 1] = endId;
        return row;
    }

    /** int32 [N, context] token ids. */
    public INDArray tokenize(List<String> texts, int context) {
        int[][] rows = new int[texts.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = tokenize(texts.get(i), context);
        }
        if (rows.length == 0) {
            return Nd4j.create(org.nd4j.linalg.api.buffer.DataType.INT, 0, context);
        }
        return Nd4j.createFromArray(rows);
    }

    public INDArray tokenize(List<String> texts) {
        return tokenize(texts, CONTEXT_LENGTH);
    }

    /** The text of a row of ids (start token skipped, stops at the end token); for inspection and tests. */
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (id == endId) {
                break;
            }
            if (id != startId) {
                sb.append(decoder.get(id));
            }
        }
        String chars = sb.toString().replace(ByteLevelBpe.END_OF_WORD, " ");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (char c : chars.toCharArray()) {
            bytes.write(c == ' ' ? ' ' : ByteLevelBpe.byteOf(c));
        }
        return bytes.toString(StandardCharsets.UTF_8).strip();
    }

    public int vocabSize() {
        return decoder.size();
    }

    public int startId() {
        return startId;
    }

    public int endId() {
        return endId;
    }

    public List<String[]> merges() {
        return merges;
    }
}
