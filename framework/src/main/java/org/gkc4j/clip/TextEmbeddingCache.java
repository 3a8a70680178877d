package org.gkc4j.clip;

import org.gkc4j.GkcException;
import org.gkc4j.io.Safetensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Text embeddings of class names, kept on disk and keyed by the weights' digest and the prompt templates, so a
 * vocabulary seen before costs nothing. One raw template stores the text tower's output; an ensemble stores the
 * normalised mean of the normalised per-template embeddings.
 */
public final class TextEmbeddingCache {
    private final ClipTextEncoder encoder;
    private final PromptTemplates templates;
    private final Path file;
    private final LinkedHashMap<String, INDArray> memory = new LinkedHashMap<>();
    private int misses;

    /** {@code dir} may be null for an in-memory cache. */
    public TextEmbeddingCache(ClipTextEncoder encoder, PromptTemplates templates, Path dir) {
        this.encoder = encoder;
        this.templates = templates;
        this.file = dir == null ? null : dir.resolve(encoder.weights().digest() + "-" + hash(String.join("\u0000", templates.templates())) + ".safetensors");
        if (file != null && Files.exists(file)) {
            try (Safetensors st = Safetensors.open(file)) {
                for (String name : st.entries().keySet()) {
                    memory.put(name, st.read(name));
                }
            } catch (GkcException e) {
                // a damaged cache is rebuilt, not fatal
                memory.clear();
            }
        }
    }

    /** [K, E] embeddings of the names, in order; computes and stores only the missing ones. */
    public INDArray embed(List<String> names) {
        if (names.isEmpty()) {
            throw new GkcException("the vocabulary is empty");
        }
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            if (!memory.containsKey(n) && !missing.contains(n)) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty()) {
            misses += missing.size();
            computeAndStore(missing);
        }
        INDArray[] rows = new INDArray[names.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = memory.get(names.get(i)).reshape(1, -1);
        }
        return Nd4j.vstack(rows);
    }

    private void computeAndStore(List<String> names) {
        List<String> prompts = new ArrayList<>();
        for (String n : names) {
            for (int t = 0; t < templates.templates().size(); t++) {
                prompts.add(templates.apply(t, n));
            }
        }
        INDArray f = encoder.encode(prompts);
        int nt = templates.templates().size();
        for (int i = 0; i < names.size(); i++) {
            INDArray e;
            if (nt == 1) {
                e = f.getRow(i).dup();
            } else {
                INDArray block = f.get(org.nd4j.linalg.indexing.NDArrayIndex.interval((long) i * nt, (long) (i + 1) * nt), org.nd4j.linalg.indexing.NDArrayIndex.all());
                INDArray normed = block.divColumnVector(block.norm2(1).reshape(nt, 1).add(1e-7));
                INDArray mean = normed.mean(0);
                e = mean.div(mean.norm2Number().doubleValue() + 1e-7);
            }
            memory.put(names.get(i), e.castTo(DataType.FLOAT));
        }
        if (file != null) {
            Safetensors.write(file, memory, Map.of("templates", String.join(" | ", templates.templates())));
        }
    }

    /** How many names had to be encoded since this cache was opened. */
    public int misses() {
        return misses;
    }

    static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
