package org.gkc4j.pipeline.datasets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gkc4j.GkcException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Streams the top-level arrays of a COCO-style JSON file ({@code images}, {@code annotations}, {@code categories})
 * one element at a time, so memory holds one element's tree plus whatever the caller keeps, never the whole
 * document. The file size, nesting depth and string and number lengths are bounded.
 */
final class CocoJson {
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder().streamReadConstraints(constraints()).build());

    private static StreamReadConstraints constraints() {
        StreamReadConstraints.Builder b = StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(1 << 20).maxNumberLength(64);
        try {
            b = b.maxNameLength(1 << 12);
        } catch (NoSuchMethodError e) {
            // Jackson 2.15 (the experiments module runs on Spark 3.5's) has no name-length limit to set; the others hold
        }
        return b.build();
    }

    private CocoJson() {
    }

    /**
     * Calls {@code handlers.get(name)} for every element of each named top-level array; other members are skipped.
     * Unreadable or malformed JSON is a fatal one-line error (no element after the damage can be trusted).
     */
    static void stream(Path file, String what, long maxBytes, Map<String, Consumer<JsonNode>> handlers) {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw GkcException.of("%s not found: %s", what, file);
        } catch (IOException e) {
            throw GkcException.of("cannot read %s %s: %s", what, file, e.getMessage());
        }
        if (size > maxBytes) {
            throw GkcException.of("%s %s is %d bytes; the limit is %d", what, file, size, maxBytes);
        }
        try (JsonParser p = MAPPER.createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw GkcException.of("damaged %s %s: it is not a JSON object", what, file);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                Consumer<JsonNode> h = handlers.get(name);
                if (h == null) {
                    p.skipChildren();
                    continue;
                }
                if (t != JsonToken.START_ARRAY) {
                    throw GkcException.of("damaged %s %s: '%s' is not an array", what, file, name);
                }
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (p.currentToken() == null) {
                        throw GkcException.of("damaged %s %s: it ends inside '%s'", what, file, name);
                    }
                    h.accept(p.readValueAsTree());
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw GkcException.of("damaged %s %s: unexpected %s at the top level", what, file, p.currentToken());
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new GkcException("damaged " + what + " " + file + ": " + e.getOriginalMessage().replace('\n', ' ') + where, e);
        } catch (IOException e) {
            throw new GkcException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** A required integral member, or null when absent or not an integer. */
    static Long longField(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v != null && v.canConvertToExactIntegral() && v.canConvertToLong() ? v.asLong() : null;
    }

    static String textField(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v != null && v.isTextual() ? v.asText() : null;
    }
}
