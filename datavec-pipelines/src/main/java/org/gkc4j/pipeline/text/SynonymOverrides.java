package org.gkc4j.pipeline.text;

import org.gkc4j.pipeline.datasets.ClassNames;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.gkc4j.GkcException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Hand-curated corrections to generated synonym lists. The file is JSON with up to three sections, each a
 * {@code {class name: [synonyms]}} map keyed by the class name exactly as the classes file spells it:
 *
 * <pre>{@code
 * {
 *   "replace": { "potted plant": ["potted_plant", "pot_plant", "houseplant"] },
 *   "remove":  { "mouse": ["shiner", "black_eye"] },
 *   "extend":  { "skis": ["ski"] }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@code replace}: the list becomes exactly the given one (an empty list is allowed and means "no synonyms").</li>
 *   <li>{@code remove}: the given synonyms are taken out (each must be in the generated list, so a stale entry is
 *       noticed).</li>
 *   <li>{@code extend}: the given synonyms are appended, skipping those already present.</li>
 * </ul>
 * A class is either replaced or edited (remove, then extend), not both; any other top-level key, a class name that
 * is not in the class list, or a non-string entry is an error.
 */
public final class SynonymOverrides {
    public static final List<String> SECTIONS = List.of("replace", "remove", "extend");
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private final String source;
    private final Map<String, List<String>> replace;
    private final Map<String, List<String>> remove;
    private final Map<String, List<String>> extend;

    public SynonymOverrides(String source, Map<String, List<String>> replace, Map<String, List<String>> remove, Map<String, List<String>> extend) {
        this.source = source;
        this.replace = copy(replace);
        this.remove = copy(remove);
        this.extend = copy(extend);
        Set<String> both = new TreeSet<>(this.replace.keySet());
        Set<String> edited = new TreeSet<>(this.remove.keySet());
        edited.addAll(this.extend.keySet());
        both.retainAll(edited);
        GkcException.check(both.isEmpty(), "synonym overrides %s: %s both replaced and edited (use either 'replace' or 'remove'/'extend' for a class)",
                source, both);
    }

    public static SynonymOverrides none() {
        return new SynonymOverrides("(none)", Map.of(), Map.of(), Map.of());
    }

    /** Reads an overrides file; every problem is a one-line {@link GkcException} naming the file. */
    public static SynonymOverrides read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw GkcException.of("synonym overrides file not found: %s", file);
        } catch (JsonProcessingException e) {
            throw GkcException.of("synonym overrides %s is not valid JSON: %s", file, e.getOriginalMessage());
        } catch (IOException e) {
            throw GkcException.of("cannot read synonym overrides %s: %s", file, e.getMessage());
        }
        String src = file.toString();
        GkcException.check(root != null && root.isObject(), "synonym overrides %s: expected a JSON object with sections %s", src, SECTIONS);
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            GkcException.check(SECTIONS.contains(key), "synonym overrides %s: unknown section '%s' (valid: %s)", src, key, SECTIONS);
        }
        return new SynonymOverrides(src, section(root, "replace", src), section(root, "remove", src), section(root, "extend", src));
    }

    private static Map<String, List<String>> section(JsonNode root, String name, String src) {
        JsonNode node = root.get(name);
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (node == null) {
            return out;
        }
        GkcException.check(node.isObject(), "synonym overrides %s: '%s' must be an object {class name: [synonyms]}", src, name);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode list = e.getValue();
            GkcException.check(list.isArray(), "synonym overrides %s: %s['%s'] must be a list of strings", src, name, e.getKey());
            List<String> words = new ArrayList<>();
            for (JsonNode w : list) {
                GkcException.check(w.isTextual() && !w.asText().isBlank(), "synonym overrides %s: %s['%s'] holds %s; expected non-empty strings",
                        src, name, e.getKey(), w);
                words.add(w.asText().strip());
            }
            out.put(e.getKey(), words);
        }
        return out;
    }

    public Map<String, List<String>> replace() {
        return replace;
    }

    public Map<String, List<String>> remove() {
        return remove;
    }

    public Map<String, List<String>> extend() {
        return extend;
    }

    public boolean isEmpty() {
        return replace.isEmpty() && remove.isEmpty() && extend.isEmpty();
    }

    /**
     * The table with the overrides applied (a new map in the same key order). Every class the overrides name must be
     * a key of {@code table}; every removed synonym must be in that class's list.
     */
    public Map<String, List<String>> applyTo(Map<String, List<String>> table) {
        for (Map<String, List<String>> section : List.of(replace, remove, extend)) {
            for (String name : section.keySet()) {
                if (!table.containsKey(name)) {
                    List<String> like = new ArrayList<>();
                    for (String k : table.keySet()) {
                        if (ClassNames.processCocoCat(k).equals(ClassNames.processCocoCat(name))) {
                            like.add(k);
                        }
                    }
                    throw GkcException.of("synonym overrides %s name class '%s', which is not in the class list%s", source, name,
                            like.isEmpty() ? "" : " (did you mean " + String.join(" or ", like.stream().map(s -> "'" + s + "'").toList()) + "?)");
                }
            }
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : table.entrySet()) {
            String name = e.getKey();
            if (replace.containsKey(name)) {
                out.put(name, List.copyOf(new LinkedHashSet<>(replace.get(name))));
                continue;
            }
            LinkedHashSet<String> words = new LinkedHashSet<>(e.getValue());
            for (String w : remove.getOrDefault(name, List.of())) {
                GkcException.check(words.remove(w), "synonym overrides %s: cannot remove '%s' from '%s', whose list is %s", source, w, name, e.getValue());
            }
            words.addAll(extend.getOrDefault(name, List.of()));
            out.put(name, List.copyOf(words));
        }
        return out;
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> m) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(out);
    }
}
