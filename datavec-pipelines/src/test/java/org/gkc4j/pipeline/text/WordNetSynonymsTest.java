package org.gkc4j.pipeline.text;

import org.gkc4j.pipeline.datasets.ClassNames;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Known WordNet 3.0 facts, the exact-look-up rules, and the COCO panoptic table. WordNet is loaded once. */
class WordNetSynonymsTest {
    static WordNetSynonyms wn;

    @BeforeAll
    static void load() {
        wn = WordNetSynonyms.load();
    }

    @AfterAll
    static void close() {
        wn.close();
    }

    @Test
    void isWordNet30() {
        assertEquals("3.0", wn.version());
    }

    @Test
    void carListsEveryNounSenseWithTheNameFirstAndNoRepeats() {
        List<String> car = wn.nounLemmas("car");
        assertEquals("car", car.get(0));
        assertTrue(car.containsAll(List.of("automobile", "auto", "motorcar", "railcar", "cable_car")), car.toString());
        assertEquals(car.size(), new HashSet<>(car).size(), "no repeats: " + car);
        assertEquals(car, wn.nounLemmas("Car"), "case-insensitive");
        assertEquals(car, wn.nounLemmas("car"), "deterministic");
    }

    @Test
    void personIncludesIndividual() {
        List<String> person = wn.nounLemmas("person");
        assertEquals("person", person.get(0));
        assertTrue(person.contains("individual") && person.contains("someone"), person.toString());
    }

    @Test
    void multiWordNamesAreLookedUpAsWordNetStoresThemAndKeepUnderscores() {
        List<String> expected = List.of("traffic_light", "traffic_signal", "stoplight");
        assertEquals(expected, wn.nounLemmas("traffic light"));
        assertEquals(expected, wn.nounLemmas("traffic_light"));
        assertEquals(List.of("hair_drier", "hand_blower", "blow_dryer", "blow_drier", "hair_dryer"), wn.nounLemmas("hair drier"));
    }

    @Test
    void noStemmingSoPottedPlantNeverGetsTheFactorySense() {
        List<String> potted = wn.nounLemmas("potted plant");
        assertTrue(potted.isEmpty() || potted.get(0).equals("potted_plant"), potted.toString());
        for (String factory : List.of("plant", "works", "industrial_plant")) {
            assertFalse(potted.contains(factory), potted.toString());
        }
        assertTrue(wn.nounLemmas("plant").contains("industrial_plant"), "the factory sense exists for 'plant' itself");
        assertEquals(List.of(), wn.nounLemmas("skis"), "plurals are not stemmed");
        assertEquals(List.of("ski"), wn.nounLemmas("ski"));
        assertEquals(List.of(), wn.nounLemmas(""));
    }

    @Test
    void caseOfLemmasIsKeptAndTheOwnFormComesFirst() {
        List<String> tv = wn.nounLemmas("tv");
        assertEquals("tv", tv.get(0));
        assertTrue(tv.contains("TV") && tv.contains("television") && tv.contains("television_receiver"), tv.toString());
    }

    @Test
    void classNamesAreCleanedUpFirst() {
        assertEquals(wn.nounLemmas("wall"), wn.synonymsOf("wall-other-merged"));
        assertEquals("wall", wn.synonymsOf("wall-other-merged").get(0));
        assertEquals(List.of(), wn.synonymsOf("door-stuff"), "'door stuff' is no WordNet noun");
    }

    @Test
    void nounMembershipAllowsInflections() {
        assertTrue(wn.isNoun("giraffes"));
        assertTrue(wn.isNoun("mice"));
        assertTrue(wn.isNoun("frisbee"));
        assertFalse(wn.isNoun("wooden"));
        assertFalse(wn.isNoun("grassy"));
        assertFalse(wn.isNoun(""));
    }

    @Test
    void cocoPanopticTableHasFourteenEmptyListsWhichTheShippedOverridesFill() {
        List<String> names = ClassNames.readTsv(Shared.require("data/classnames/coco-panoptic-133.tsv"));
        Map<String, List<String>> plain = SynonymTable.build(names, wn, SynonymOverrides.none());
        assertEquals(names, List.copyOf(plain.keySet()), "class-list order");
        assertEquals(List.of("stop sign", "skis", "sports ball", "wine glass", "potted plant", "cell phone", "door-stuff", "floor-wood",
                "mirror-stuff", "playingfield", "wall-brick", "wall-stone", "wall-tile", "wall-wood"), SynonymTable.empty(plain));
        assertEquals(List.of("bicycle", "bike", "wheel", "cycle"), plain.get("bicycle"));

        Path shipped = Path.of("..", "configs", "synonyms", "coco-panoptic-133-overrides.json");
        Map<String, List<String>> curated = SynonymTable.build(names, wn, SynonymOverrides.read(shipped));
        assertEquals(List.of(), SynonymTable.empty(curated));
        assertEquals(List.of("potted_plant", "pot_plant", "houseplant"), curated.get("potted plant"));
        assertEquals(plain.get("car"), curated.get("car"), "classes the file does not name are untouched");
    }
}
