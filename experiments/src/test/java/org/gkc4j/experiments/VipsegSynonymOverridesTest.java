package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.pipeline.datasets.VipsegCategories;
import org.gkc4j.pipeline.text.SynonymOverrides;
import org.gkc4j.pipeline.text.SynonymTable;
import org.gkc4j.pipeline.text.WordNetSynonyms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * configs/synonyms/vipseg-124-overrides.json, read by the loader training reads it with: keyed by VIPSeg's own class
 * names (a key that is not one is refused in one line), replacing WordNet senses that do not name a thing in a street
 * or indoor video, and usable by the base variants, which train 112 of the 124 names.
 */
class VipsegSynonymOverridesTest {
    private static final Path FILE = Path.of("../configs/synonyms/vipseg-124-overrides.json");

    private static List<String> names() {
        return VipsegCategories.shipped().all().stream().map(VipsegCategories.Category::name).toList();
    }

    private static Map<String, List<String>> build(Path overrides) {
        try (WordNetSynonyms wn = WordNetSynonyms.load()) {
            return SynonymTable.build(names(), wn, SynonymOverrides.read(overrides));
        }
    }

    @Test
    void theRecipeReadsTheFile() {
        VideoRunConfig c = Configs.load(VideoRunConfig.class, VideoRunConfig.defaults(), Path.of("../configs/vipseg.yaml"), List.of());
        assertEquals("configs/synonyms/vipseg-124-overrides.json", c.diversification().overrides());
        assertTrue(Files.isRegularFile(Path.of("..").resolve(c.diversification().overrides())));
    }

    @Test
    void everyKeyIsAVipsegNameAndTheOddSensesAreGone() {
        SynonymOverrides ov = SynonymOverrides.read(FILE);
        assertEquals(124, names().size());
        for (Map<String, List<String>> section : List.of(ov.replace(), ov.remove(), ov.extend())) {
            for (String key : section.keySet()) {
                assertTrue(names().contains(key), key + " is not a VIPSeg class name");
            }
        }
        Map<String, List<String>> table = build(FILE);
        Map<String, List<String>> plain;
        try (WordNetSynonyms wn = WordNetSynonyms.load()) {
            plain = SynonymTable.build(names(), wn, SynonymOverrides.none());
            assertEquals(wn.synonymsOf("sky"), table.get("sky"), "a class the file leaves alone keeps WordNet's list");
        }
        // WordNet's senses named in docs/video.md, there without the file and gone with it
        for (String[] odd : new String[][]{{"book", "Quran"}, {"book", "Word_of_God"}, {"grass", "Mary_Jane"}, {"cat", "computerized_tomography"},
                {"mountain", "tidy_sum"}, {"tool", "puppet"}}) {
            assertTrue(plain.get(odd[0]).contains(odd[1]), odd[0] + " " + plain.get(odd[0]));
            assertFalse(table.get(odd[0]).contains(odd[1]), odd[0] + " " + table.get(odd[0]));
        }
        // names WordNet has no entry for get a person's words
        assertTrue(plain.get("table_or_desk").isEmpty());
        assertTrue(table.get("table_or_desk").containsAll(List.of("table", "desk")), table.get("table_or_desk").toString());
        for (String name : names()) {
            assertFalse(ov.replace().getOrDefault(name, List.of("x")).isEmpty(), name + " replaced by nothing");
        }
    }

    @Test
    void aKeyThatIsNotAVipsegNameIsRefused(@TempDir Path dir) throws Exception {
        String text = Files.readString(FILE);
        // WordNet's spelling of VIPSeg's "Mobile_phone" as a key
        assertTrue(text.contains("\"Mobile_phone\":"));
        Path wrong = Files.writeString(dir.resolve("wrong.json"), text.replace("\"Mobile_phone\":", "\"mobile_phone\":"));
        GkcException e = assertThrows(GkcException.class, () -> build(wrong));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().contains("class 'mobile_phone', which is not in the class list"), e.getMessage());
    }

    @Test
    void aBaseVariantTrainsItsSeenNamesWithTheFileOfAll124() {
        VideoRunConfig c = Configs.load(VideoRunConfig.class, VideoRunConfig.defaults(), Path.of("../configs/vipseg.yaml"),
                List.of("diversification.overrides=" + FILE));
        List<String> seen = VipsegCategories.shipped().all().stream().filter(k -> !k.unseen()).map(VipsegCategories.Category::name).toList();
        assertEquals(112, seen.size());
        // the file corrects unseen names too (box, basket, ...), which a 112-name table does not hold
        assertTrue(VipsegCategories.shipped().all().stream().anyMatch(k -> k.unseen() && SynonymOverrides.read(FILE).replace().containsKey(k.name())));
        Map<String, List<String>> synonyms = VipsegTrainingData.synonyms(c.diversification(), seen);
        assertEquals(seen, List.copyOf(synonyms.keySet()));
        assertEquals(build(FILE).get("book"), synonyms.get("book"));
        assertFalse(synonyms.get("book").contains("Quran"));
    }
}
