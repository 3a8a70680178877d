package org.gkc4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gkc4j.pipeline.text.SynonymTable;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gkc synonyms build}: output, overrides, and one-line errors. */
class SynonymsCommandTest {
    @TempDir
    Path dir;

    static int run(StringWriter err, String... args) {
        return GkcMain.execute(args, new PrintWriter(new StringWriter()), new PrintWriter(err, true));
    }

    @Test
    void buildsTheTableWithOverrides() throws IOException {
        Path classes = Files.writeString(dir.resolve("classes.tsv"), "index\tdataset_id\tname\n0\t3\tcar\n1\t199\twall-other-merged\n2\t64\tpotted plant\n3\t10\ttraffic light\n");
        Path overrides = Files.writeString(dir.resolve("ov.json"), "{\"extend\": {\"potted plant\": [\"potted_plant\", \"houseplant\"]}}");
        Path out = dir.resolve("out/syn.json");
        StringWriter err = new StringWriter();
        assertEquals(0, run(err, "synonyms", "build", "--classes", classes.toString(), "--out", out.toString()), err.toString());
        Map<String, List<String>> plain = SynonymTable.read(out);
        assertEquals(List.of("car", "wall-other-merged", "potted plant", "traffic light"), List.copyOf(plain.keySet()));
        assertTrue(plain.get("car").contains("automobile"), plain.toString());
        assertEquals("wall", plain.get("wall-other-merged").get(0));
        assertEquals(List.of(), plain.get("potted plant"));
        assertEquals(List.of("traffic_light", "traffic_signal", "stoplight"), plain.get("traffic light"));
        assertTrue(err.toString().contains("1 classes have no synonyms: potted plant"), err.toString());

        StringWriter err2 = new StringWriter();
        assertEquals(0, run(err2, "synonyms", "build", "--classes", classes.toString(), "--out", out.toString(), "--overrides", overrides.toString()), err2.toString());
        Map<String, List<String>> curated = SynonymTable.read(out);
        assertEquals(List.of("potted_plant", "houseplant"), curated.get("potted plant"));
        assertEquals(plain.get("car"), curated.get("car"));
        assertFalse(err2.toString().contains("no synonyms"), err2.toString());
    }

    @Test
    void userMistakesEndInOneLineAndWriteNothing() throws IOException {
        Path out = dir.resolve("syn.json");
        assertOneLineError("gkc: classes file not found: ", "synonyms", "build", "--classes", dir.resolve("missing.tsv").toString(), "--out", out.toString());
        Path bad = Files.writeString(dir.resolve("bad.tsv"), "index\tname\n0\tcar\n1 bus\n");
        assertOneLineError("line 3: expected 2 tab-separated fields", "synonyms", "build", "--classes", bad.toString(), "--out", out.toString());
        Path noName = Files.writeString(dir.resolve("noname.tsv"), "index\tlabel\n0\tcar\n");
        assertOneLineError("must have a 'name' column", "synonyms", "build", "--classes", noName.toString(), "--out", out.toString());
        Path good = Files.writeString(dir.resolve("good.tsv"), "index\tname\n0\tcar\n");
        Path ov = Files.writeString(dir.resolve("ov.json"), "{\"extend\": {\"car\": [\"auto\",]}}");
        assertOneLineError("is not valid JSON", "synonyms", "build", "--classes", good.toString(), "--out", out.toString(), "--overrides", ov.toString());
        Path typo = Files.writeString(dir.resolve("typo.json"), "{\"extend\": {\"cars\": [\"auto\"]}}");
        assertOneLineError("class 'cars', which is not in the class list", "synonyms", "build", "--classes", good.toString(), "--out", out.toString(), "--overrides", typo.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void scoresEverySegmentOfTheCocoSampleWithClip() throws IOException {
        Path sample = Shared.require("data/coco-panoptic-sample");
        Path clip = Shared.require("fixtures/clip-rn-tiny/clip.safetensors");
        Path merges = Shared.require("data/clip/bpe_simple_vocab_16e6.txt.gz");
        JsonNode json = new ObjectMapper().readTree(sample.resolve("panoptic_examples.json").toFile());
        // three synonyms for person, one for everything else
        Map<String, List<String>> table = new LinkedHashMap<>();
        Map<Integer, String> nameOf = new HashMap<>();
        for (JsonNode c : json.get("categories")) {
            nameOf.put(c.get("id").asInt(), c.get("name").asText());
            table.put(c.get("name").asText(), c.get("name").asText().equals("person") ? List.of("person", "individual", "human") : List.of(c.get("name").asText()));
        }
        Path synonyms = dir.resolve("syn.json");
        SynonymTable.write(synonyms, table);
        Path out = dir.resolve("scores.json");
        StringWriter err = new StringWriter();
        assertEquals(0, run(err, "synonyms", "score", "--clip", clip.toString(), "--merges", merges.toString(), "--synonyms", synonyms.toString(),
                "--json", sample.resolve("panoptic_examples.json").toString(), "--panoptic-dir", sample.resolve("panoptic_examples").toString(),
                "--images", sample.resolve("input_images").toString(), "--out", out.toString()), err.toString());
        assertTrue(err.toString().contains("synonym scores of 2 images"), err.toString());
        JsonNode scores = new ObjectMapper().readTree(out.toFile());
        assertEquals(2, scores.size());
        int people = 0;
        for (JsonNode ann : json.get("annotations")) {
            JsonNode image = null;
            for (var it = scores.fields(); it.hasNext(); ) {
                var e = it.next();
                if (ann.get("file_name").asText().startsWith(e.getKey()) || e.getKey().contains(ann.get("file_name").asText().replace(".png", ""))) {
                    image = e.getValue();
                }
            }
            assertTrue(image != null, "no scores for " + ann.get("file_name") + ": " + scores.fieldNames().next());
            for (JsonNode seg : ann.get("segments_info")) {
                JsonNode p = image.get(seg.get("id").asText());
                if (seg.get("iscrowd").asInt() == 1) {
                    assertTrue(p == null, "crowd segments are not scored");
                    continue;
                }
                String name = nameOf.get(seg.get("category_id").asInt());
                List<String> expectedKeys = new ArrayList<>();
                p.fieldNames().forEachRemaining(expectedKeys::add);
                assertEquals(table.get(name), expectedKeys, "segment " + seg.get("id"));
                double sum = 0;
                for (JsonNode v : p) {
                    assertTrue(v.asDouble() > 0 && v.asDouble() <= 1);
                    sum += v.asDouble();
                }
                assertEquals(1.0, sum, 1e-9);
                people += name.equals("person") ? 1 : 0;
                if (name.equals("person")) {
                    assertTrue(p.get("person").asDouble() < 1.0, "three candidates share the mass");
                }
            }
        }
        assertTrue(people > 10, "the sample has many people: " + people);
        assertOneLineError("synonym table not found", "synonyms", "score", "--clip", clip.toString(), "--merges", merges.toString(), "--synonyms",
                dir.resolve("none.json").toString(), "--json", sample.resolve("panoptic_examples.json").toString(), "--panoptic-dir",
                sample.resolve("panoptic_examples").toString(), "--images", sample.resolve("input_images").toString(), "--out", out.toString());
    }

    private static void assertOneLineError(String expected, String... args) {
        StringWriter err = new StringWriter();
        assertEquals(1, run(err, args));
        String msg = err.toString().strip();
        assertTrue(msg.startsWith("gkc: ") && msg.contains(expected), msg);
        assertEquals(1, msg.lines().count(), "one line, no stack trace: " + msg);
    }
}
