package org.gkc4j.pipeline.synthetic;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in open-vocabulary world: "thing" classes are colour-shape pairs (a red circle, a violet star), "stuff"
 * classes are textured backgrounds (grass, sky, sand...). Every colour, shape and stuff has several words
 * (synonyms) that captions use interchangeably, so a CLIP trained on the captions learns them. A fixed set of
 * colour-shape pairs is unseen: never annotated in segmentation training, only met in captions (as the web's
 * captions cover what a segmentation dataset does not) and at evaluation. Each unseen pair's colour and shape occur
 * in seen pairs, so the unseen classes are new compositions of known words.
 */
public final class SyntheticWorld {
    /** A colour with its RGB and its words (the first is canonical). */
    public record Colour(String[] words, int r, int g, int b) {
    }

    /** A shape and its words. */
    public record Shape(String[] words) {
    }

    /** A background kind: its words, base colours and texture. */
    public record Stuff(String[] words, int[] rgbA, int[] rgbB, Texture texture) {
    }

    public enum Texture { NOISE, STRIPES, GRADIENT, SPECKLE, BRICKS, WAVES }

    /** One class of the world: canonical name, synonyms (canonical first), seen in training or not. */
    public record ClassInfo(int index, String name, List<String> synonyms, boolean thing, boolean seen, int colour, int shape, int stuff) {
    }

    public static final List<Colour> COLOURS = List.of(
            new Colour(new String[]{"red", "crimson", "scarlet"}, 220, 40, 40),
            new Colour(new String[]{"green", "emerald", "lime"}, 40, 190, 60),
            new Colour(new String[]{"blue", "azure", "cobalt"}, 40, 80, 230),
            new Colour(new String[]{"yellow", "golden", "lemon"}, 235, 215, 40),
            new Colour(new String[]{"purple", "violet", "lilac"}, 150, 60, 200));

    public static final List<Shape> SHAPES = List.of(
            new Shape(new String[]{"circle", "disc", "round"}),
            new Shape(new String[]{"square", "box", "block"}),
            new Shape(new String[]{"triangle", "wedge", "pyramid"}),
            new Shape(new String[]{"ring", "hoop", "donut"}));

    public static final List<Stuff> STUFF = List.of(
            new Stuff(new String[]{"grass", "lawn", "turf"}, new int[]{70, 140, 50}, new int[]{100, 170, 70}, Texture.NOISE),
            new Stuff(new String[]{"sky", "heavens", "air"}, new int[]{150, 190, 240}, new int[]{220, 235, 250}, Texture.GRADIENT),
            new Stuff(new String[]{"sand", "beach", "dune"}, new int[]{210, 190, 140}, new int[]{180, 160, 110}, Texture.SPECKLE),
            new Stuff(new String[]{"water", "sea", "lake"}, new int[]{30, 90, 140}, new int[]{60, 130, 180}, Texture.WAVES),
            new Stuff(new String[]{"wall", "bricks", "masonry"}, new int[]{150, 70, 50}, new int[]{200, 190, 180}, Texture.BRICKS),
            new Stuff(new String[]{"floor", "planks", "boards"}, new int[]{120, 80, 40}, new int[]{150, 105, 60}, Texture.STRIPES));

    /** Colour-shape pairs never annotated in training: (colour, shape). Each colour and shape also occurs seen. */
    public static final int[][] UNSEEN_PAIRS = {{0, 2}, {1, 3}, {2, 0}, {3, 1}, {4, 2}};

    /** Changes whenever the world's classes or rendering change (cached models of an older world are not reused). */
    public static final int VERSION = 2;

    private final List<ClassInfo> classes;

    public SyntheticWorld() {
        List<ClassInfo> list = new ArrayList<>();
        for (int c = 0; c < COLOURS.size(); c++) {
            for (int s = 0; s < SHAPES.size(); s++) {
                boolean seen = true;
                for (int[] u : UNSEEN_PAIRS) {
                    if (u[0] == c && u[1] == s) {
                        seen = false;
                    }
                }
                List<String> syn = new ArrayList<>();
                for (String cw : COLOURS.get(c).words()) {
                    for (String sw : SHAPES.get(s).words()) {
                        syn.add(cw + " " + sw);
                    }
                }
                list.add(new ClassInfo(list.size(), syn.get(0), List.copyOf(syn), true, seen, c, s, -1));
            }
        }
        for (int u = 0; u < STUFF.size(); u++) {
            list.add(new ClassInfo(list.size(), STUFF.get(u).words()[0], List.of(STUFF.get(u).words()), false, true, -1, -1, u));
        }
        this.classes = Collections.unmodifiableList(list);
    }

    public List<ClassInfo> classes() {
        return classes;
    }

    public List<String> classNames() {
        return classes.stream().map(ClassInfo::name).toList();
    }

    public List<Integer> seen() {
        return classes.stream().filter(ClassInfo::seen).map(ClassInfo::index).toList();
    }

    public List<Integer> unseen() {
        return classes.stream().filter(c -> !c.seen()).map(ClassInfo::index).toList();
    }

    public int thingIndex(int colour, int shape) {
        return colour * SHAPES.size() + shape;
    }

    public int stuffIndex(int stuff) {
        return COLOURS.size() * SHAPES.size() + stuff;
    }

    /** Synonym table in the format the synonym tools use: canonical name to its words. */
    public Map<String, List<String>> synonymTable() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (ClassInfo c : classes) {
            m.put(c.name(), c.synonyms());
        }
        return m;
    }
}
