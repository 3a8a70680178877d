package org.gkc4j.pipeline.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.gkc4j.GkcException;
import org.gkc4j.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A synonym table {@code {class name: [synonyms]}} in class-list order, as the authors' {@code coco_name_syn.json}:
 * keys are the class names as the dataset spells them ({@code wall-other-merged}), values the candidates that
 * text diversification samples from.
 */
public final class SynonymTable {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private SynonymTable() {
    }

    /** WordNet candidates of every class name, then the overrides. */
    public static Map<String, List<String>> build(List<String> classNames, WordNetSynonyms wordNet, SynonymOverrides overrides) {
        Map<String, List<String>> table = new LinkedHashMap<>();
        for (String name : classNames) {
            GkcException.check(table.put(name, wordNet.synonymsOf(name)) == null, "class name '%s' appears twice", name);
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(overrides.applyTo(table)));
    }

    /** The class names whose list is empty, in table order. */
    public static List<String> empty(Map<String, List<String>> table) {
        List<String> out = new ArrayList<>();
        table.forEach((k, v) -> {
            if (v.isEmpty()) {
                out.add(k);
            }
        });
        return out;
    }

    public static String toJson(Map<String, List<String>> table) {
        try {
            return JSON.writeValueAsString(table) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the table as UTF-8 JSON, atomically. */
    public static void write(Path file, Map<String, List<String>> table) {
        AtomicFiles.writeString(file, toJson(table));
    }

    /** Reads a table written by {@link #write} (or by hand in the same shape), keeping its key order. */
    public static Map<String, List<String>> read(Path file) {
        try {
            Map<String, List<String>> m = JSON.readValue(Files.readAllBytes(file), new TypeReference<LinkedHashMap<String, List<String>>>() {
            });
            GkcException.check(m != null, "synonym table %s is empty", file);
            Map<String, List<String>> out = new LinkedHashMap<>();
            m.forEach((k, v) -> {
                GkcException.check(v != null && v.stream().allMatch(s -> s != null && !s.isBlank()),
                        "synonym table %s: the list of '%s' must hold non-empty strings", file, k);
                out.put(k, List.copyOf(v));
            });
            return Collections.unmodifiableMap(out);
        } catch (NoSuchFileException e) {
            throw GkcException.of("synonym table not found: %s", file);
        } catch (JsonProcessingException e) {
            throw GkcException.of("synonym table %s is not a JSON object {class name: [synonyms]}: %s", file, e.getOriginalMessage());
        } catch (IOException e) {
            throw GkcException.of("cannot read synonym table %s: %s", file, e.getMessage());
        }
    }
}
