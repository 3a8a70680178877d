package org.gkc4j.pipeline.text;

import org.gkc4j.pipeline.datasets.ClassNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.gkc4j.pipeline.text.ClassNamesTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SynonymOverridesTest {
    @TempDir
    Path dir;

    static Map<String, List<String>> table() {
        Map<String, List<String>> t = new LinkedHashMap<>();
        t.put("mouse", List.of("mouse", "shiner", "black_eye", "computer_mouse"));
        t.put("potted plant", List.of());
        t.put("car", List.of("car", "auto", "automobile"));
        t.put("wall-other-merged", List.of("wall", "paries"));
        return t;
    }

    @Test
    void replaceRemoveAndExtend() throws IOException {
        SynonymOverrides ov = SynonymOverrides.read(write("""
                {"replace": {"potted plant": ["potted_plant", "houseplant", "houseplant"], "wall-other-merged": []},
                 "remove":  {"mouse": ["shiner", "black_eye"]},
                 "extend":  {"mouse": ["computer_mouse", "optical_mouse"], "car": ["motorcar"]}}
                """));
        Map<String, List<String>> out = ov.applyTo(table());
        assertEquals(List.of("mouse", "potted plant", "car", "wall-other-merged"), List.copyOf(out.keySet()));
        assertEquals(List.of("mouse", "computer_mouse", "optical_mouse"), out.get("mouse"));
        assertEquals(List.of("potted_plant", "houseplant"), out.get("potted plant"));
        assertEquals(List.of("car", "auto", "automobile", "motorcar"), out.get("car"));
        assertEquals(List.of(), out.get("wall-other-merged"), "replace with [] empties a list");
        assertEquals(table(), SynonymOverrides.none().applyTo(table()));
    }

    @Test
    void mistakesEndInOneLine() throws IOException {
        assertOneLine("synonym overrides file not found", () -> SynonymOverrides.read(dir.resolve("none.json")));
        assertOneLine("is not valid JSON", () -> SynonymOverrides.read(write("{\"replace\": {\"car\": [\"a\",]}")));
        assertOneLine("unknown section 'add'", () -> SynonymOverrides.read(write("{\"add\": {\"car\": [\"a\"]}}")));
        assertOneLine("expected a JSON object", () -> SynonymOverrides.read(write("[\"car\"]")));
        assertOneLine("extend['car'] must be a list", () -> SynonymOverrides.read(write("{\"extend\": {\"car\": \"auto\"}}")));
        assertOneLine("expected non-empty strings", () -> SynonymOverrides.read(write("{\"extend\": {\"car\": [1]}}")));
        assertOneLine("both replaced and edited", () -> SynonymOverrides.read(write("{\"replace\": {\"car\": []}, \"extend\": {\"car\": [\"x\"]}}")));
        assertOneLine("is not valid JSON", () -> SynonymOverrides.read(write("{\"extend\": {\"car\": [\"a\"], \"car\": [\"b\"]}}")));
        SynonymOverrides typo = SynonymOverrides.read(write("{\"extend\": {\"wall\": [\"brick_wall\"]}}"));
        assertOneLine("class 'wall', which is not in the class list (did you mean 'wall-other-merged'?)", () -> typo.applyTo(table()));
        SynonymOverrides stale = SynonymOverrides.read(write("{\"remove\": {\"car\": [\"railcar\"]}}"));
        assertOneLine("cannot remove 'railcar' from 'car'", () -> stale.applyTo(table()));
    }

    @Test
    void tableRoundTripsThroughJsonAtomically() throws IOException {
        Path out = dir.resolve("sub/table.json");
        SynonymTable.write(out, table());
        assertEquals(table(), SynonymTable.read(out));
        assertEquals(List.copyOf(table().keySet()), List.copyOf(SynonymTable.read(out).keySet()));
        try (var files = Files.list(out.getParent())) {
            assertEquals(List.of(out.getFileName().toString()), files.map(p -> p.getFileName().toString()).toList(), "no temporary files left");
        }
        assertTrue(Files.readString(out).contains("\"potted plant\" : [ ]"));
        Path bad = write("{\"car\": \"auto\"}");
        assertOneLine("is not a JSON object {class name: [synonyms]}", () -> SynonymTable.read(bad));
    }

    private Path write(String json) throws IOException {
        Path p = Files.createTempFile(dir, "overrides", ".json");
        Files.writeString(p, json);
        return p;
    }
}
