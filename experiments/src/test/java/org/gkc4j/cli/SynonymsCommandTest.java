package org.gkc4j.cli;

import org.gkc4j.pipeline.text.SynonymTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static void assertOneLineError(String expected, String... args) {
        StringWriter err = new StringWriter();
        assertEquals(1, run(err, args));
        String msg = err.toString().strip();
        assertTrue(msg.startsWith("gkc: ") && msg.contains(expected), msg);
        assertEquals(1, msg.lines().count(), "one line, no stack trace: " + msg);
    }
}
