package org.gkc4j.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.gkc4j.GkcException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Binds YAML configs to immutable records. Defaults live in one place, the record's {@code defaults()} instance:
 * its YAML tree is the base, each file and each {@code --set a.b=value} is merged on top, and a key the defaults do
 * not have is an error naming the key and the valid ones. A file may name a parent with {@code _base_: other.yaml}
 * (resolved relative to the file), as detectron2 configs do.
 */
public final class Configs {
    public static final String BASE_KEY = "_base_";

    public static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();
    public static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    private Configs() {
    }

    /** Loads {@code defaults} overlaid with the given files (in order) and then the overrides. */
    public static <T> T load(Class<T> type, T defaults, List<Path> files, List<String> overrides) {
        ObjectNode tree = YAML.valueToTree(defaults);
        for (Path f : files) {
            mergeFile(tree, f, 0);
        }
        for (String o : overrides) {
            applyOverride(tree, o);
        }
        return bind(type, tree);
    }

    public static <T> T load(Class<T> type, T defaults, Path file, List<String> overrides) {
        return load(type, defaults, file == null ? List.of() : List.of(file), overrides);
    }

    /** The config as YAML, as written beside every run's outputs. */
    public static String toYaml(Object config) {
        try {
            return YAML.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a YAML file into a tree (no merging, no validation). */
    public static JsonNode readTree(Path file) {
        try {
            JsonNode n = YAML.readTree(file.toFile());
            return n == null ? YAML.createObjectNode() : n;
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw GkcException.of("config file not found: %s", file);
        } catch (IOException e) {
            throw GkcException.of("config file %s is not valid YAML: %s", file, firstLine(e.getMessage()));
        }
    }

    private static void mergeFile(ObjectNode tree, Path file, int depth) {
        if (depth > 16) {
            throw GkcException.of("config %s: _base_ chain is too deep (a cycle?)", file);
        }
        if (!Files.exists(file)) {
            throw GkcException.of("config file not found: %s", file);
        }
        JsonNode node = readTree(file);
        if (!node.isObject()) {
            throw GkcException.of("config file %s must hold a mapping of keys", file);
        }
        ObjectNode obj = ((ObjectNode) node).deepCopy();
        JsonNode base = obj.remove(BASE_KEY);
        if (base != null) {
            Path parent = file.toAbsolutePath().getParent();
            if (base.isArray()) {
                for (JsonNode b : base) {
                    mergeFile(tree, parent.resolve(b.asText()), depth + 1);
                }
            } else {
                mergeFile(tree, parent.resolve(base.asText()), depth + 1);
            }
        }
        merge(tree, obj, "", file.toString(), false);
    }

    /** Applies one {@code a.b.c=value} override; the value is parsed as YAML (numbers, booleans, lists). */
    public static void applyOverride(ObjectNode tree, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw GkcException.of("--set expects key=value, got '%s'", override);
        }
        String key = override.substring(0, eq).trim();
        String raw = override.substring(eq + 1);
        JsonNode value;
        try {
            value = raw.isEmpty() ? YAML.getNodeFactory().textNode("") : YAML.readTree(raw);
            if (value == null || value.isMissingNode()) {
                value = YAML.getNodeFactory().nullNode();
            }
        } catch (IOException e) {
            value = YAML.getNodeFactory().textNode(raw);
        }
        String[] parts = key.split("\\.");
        ObjectNode patch = YAML.createObjectNode();
        ObjectNode cur = patch;
        for (int i = 0; i < parts.length - 1; i++) {
            cur = cur.putObject(parts[i]);
        }
        cur.set(parts[parts.length - 1], value);
        merge(tree, patch, "", "--set " + override, false);
    }

    /**
     * Merges {@code patch} into {@code base}, refusing keys the defaults do not have. A section whose default is empty
     * (a map such as a sweep's {@code space}) takes any keys, and so does everything below them: their binding checks them.
     */
    private static void merge(ObjectNode base, ObjectNode patch, String path, String source, boolean free) {
        boolean freeMap = free || (base.isEmpty() && !path.isEmpty());
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            String full = path.isEmpty() ? key : path + "." + key;
            JsonNode current = base.get(key);
            if (current == null && !freeMap) {
                throw GkcException.of("unknown config key '%s' in %s (valid keys%s: %s)", full, source,
                        path.isEmpty() ? "" : " under '" + path + "'", String.join(", ", new TreeSet<>(names(base))));
            }
            JsonNode value = e.getValue();
            if (current != null && current.isObject() && value.isObject()) {
                merge((ObjectNode) current, (ObjectNode) value, full, source, freeMap);
            } else if (current != null && current.isObject() && !current.isEmpty() && !value.isNull()) {
                throw GkcException.of("config key '%s' in %s is a section (keys: %s), not a value", full, source,
                        String.join(", ", new TreeSet<>(names((ObjectNode) current))));
            } else {
                base.set(key, value);
            }
        }
    }

    private static List<String> names(ObjectNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static <T> T bind(Class<T> type, JsonNode tree) {
        try {
            return YAML.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            String valid = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw GkcException.of("unknown config key '%s' (valid: %s)", path(e), valid);
        } catch (InvalidFormatException e) {
            throw GkcException.of("config key '%s': '%s' is not a valid %s", path(e), e.getValue(), describe(e.getTargetType()));
        } catch (MismatchedInputException e) {
            throw GkcException.of("config key '%s': expected %s", path(e), describe(e.getTargetType()));
        } catch (JsonProcessingException e) {
            throw GkcException.of("invalid config: %s", firstLine(e.getOriginalMessage()));
        } catch (IllegalArgumentException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw GkcException.of("invalid config: %s", firstLine(c.getMessage()));
        }
    }

    private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String describe(Class<?> t) {
        if (t == null) {
            return "a value of another type";
        }
        if (t.isEnum()) {
            return "one of " + java.util.Arrays.stream(t.getEnumConstants()).map(c -> ((Enum<?>) c).name().toLowerCase(java.util.Locale.ROOT)).collect(Collectors.joining(", "));
        }
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "an integer";
        }
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            return "a number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(t)) {
            return "a list";
        }
        return "a " + t.getSimpleName() + " section";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
