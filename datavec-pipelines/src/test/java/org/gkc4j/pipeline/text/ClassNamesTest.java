package org.gkc4j.pipeline.text;

import org.gkc4j.pipeline.datasets.ClassNames;
import org.gkc4j.GkcException;
import org.gkc4j.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassNamesTest {
    /** The method document's Appendix D: the 133 COCO panoptic names after process_coco_cat, in contiguous-id order. */
    static final String APPENDIX_D = "person, bicycle, car, motorcycle, airplane, bus, train, truck, boat, traffic light, fire hydrant, stop sign, "
            + "parking meter, bench, bird, cat, dog, horse, sheep, cow, elephant, bear, zebra, giraffe, backpack, umbrella, handbag, tie, "
            + "suitcase, frisbee, skis, snowboard, sports ball, kite, baseball bat, baseball glove, skateboard, surfboard, tennis racket, "
            + "bottle, wine glass, cup, fork, knife, spoon, bowl, banana, apple, sandwich, orange, broccoli, carrot, hot dog, pizza, donut, "
            + "cake, chair, couch, potted plant, bed, dining table, toilet, tv, laptop, mouse, remote, keyboard, cell phone, microwave, oven, "
            + "toaster, sink, refrigerator, book, clock, vase, scissors, teddy bear, hair drier, toothbrush, banner, blanket, bridge, "
            + "cardboard, counter, curtain, door stuff, floor wood, flower, fruit, gravel, house, light, mirror stuff, net, pillow, platform, "
            + "playingfield, railroad, river, road, roof, sand, sea, shelf, snow, stairs, tent, towel, wall brick, wall stone, wall tile, "
            + "wall wood, water, window blind, window, tree, fence, ceiling, sky, cabinet, table, floor, pavement, mountain, grass, dirt, "
            + "paper, food, building, rock, wall, rug";

    @TempDir
    Path dir;

    @Test
    void processCocoCatFollowsTheAuthors() {
        assertEquals("wall", ClassNames.processCocoCat("wall-other-merged"));
        assertEquals("sky", ClassNames.processCocoCat("sky-other-merged"));
        assertEquals("door stuff", ClassNames.processCocoCat("door-stuff"));
        assertEquals("water", ClassNames.processCocoCat("water-other"));
        assertEquals("tree", ClassNames.processCocoCat("tree-merged"));
        assertEquals("traffic light", ClassNames.processCocoCat("traffic light"));
    }

    @Test
    void cocoPanopticNamesCleanUpToAppendixD() {
        List<String> raw = ClassNames.readTsv(Shared.require("data/classnames/coco-panoptic-133.tsv"));
        assertEquals(133, raw.size());
        assertEquals("wall-other-merged", raw.get(131));
        assertEquals(Arrays.asList(APPENDIX_D.split(", ")), raw.stream().map(ClassNames::processCocoCat).toList());
    }

    @Test
    void readsTwoColumnAndFourColumnFiles() throws IOException {
        assertEquals(List.of("road", "sidewalk"), ClassNames.readTsv(write("index\tname\n0\troad\n1\tsidewalk\n")));
        assertEquals(List.of("person", "wall-other-merged"),
                ClassNames.readTsv(write("index\tdataset_id\tname\tisthing\r\n0\t1\tperson\t1\r\n1\t199\twall-other-merged\t0\r\n\n")));
        assertEquals(List.of("building, edifice"), ClassNames.readTsv(write("index\tdataset_id\tname\n0\t312\tbuilding, edifice\n")));
    }

    @Test
    void badFilesEndInOneLineNamingTheProblem() throws IOException {
        assertOneLine("classes file not found", () -> ClassNames.readTsv(dir.resolve("missing.tsv")));
        assertOneLine("is empty", () -> ClassNames.readTsv(write("")));
        assertOneLine("must have a 'name' column", () -> ClassNames.readTsv(write("index\tlabel\n0\tcar\n")));
        assertOneLine("line 3: expected 2 tab-separated fields", () -> ClassNames.readTsv(write("index\tname\n0\tcar\n1 bus\n")));
        assertOneLine("line 3: index '2' should be 1", () -> ClassNames.readTsv(write("index\tname\n0\tcar\n2\tbus\n")));
        assertOneLine("line 2: the class name is empty", () -> ClassNames.readTsv(write("index\tname\n0\t \n")));
        assertOneLine("class name 'car' appears twice", () -> ClassNames.readTsv(write("index\tname\n0\tcar\n1\tcar\n")));
        assertOneLine("has a header but no classes", () -> ClassNames.readTsv(write("index\tname\n")));
        Path latin1 = dir.resolve("latin1.tsv");
        Files.write(latin1, "index\tname\n0\tcaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertOneLine("is not UTF-8", () -> ClassNames.readTsv(latin1));
    }

    private Path write(String text) throws IOException {
        Path p = Files.createTempFile(dir, "classes", ".tsv");
        Files.writeString(p, text);
        return p;
    }

    static void assertOneLine(String expected, org.junit.jupiter.api.function.Executable call) {
        GkcException e = assertThrows(GkcException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
