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

    /** An object outline, tested in the object's unit frame (radius 1). */
    public enum Outline {
        CIRCLE, SQUARE, TRIANGLE, RING;

        public boolean inside(double u, double v) {
            double d = Math.hypot(u, v);
            return switch (this) {
                case CIRCLE -> d <= 1;
                case SQUARE -> Math.abs(u) <= 0.8 && Math.abs(v) <= 0.8;
                case TRIANGLE -> insideTriangle(u, v);
                case RING -> d <= 1 && d >= 0.55;
            };
        }

        /** Equilateral triangle with its vertices at radius 1. */
        private static boolean insideTriangle(double u, double v) {
            for (int k = 0; k < 3; k++) {
                double a = Math.PI / 2 + k * 2 * Math.PI / 3 + Math.PI;   // outward normals of the edges
                if (u * Math.cos(a) + v * Math.sin(a) > 0.5) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A shape: its outline and its words (the first is canonical). */
    public record Shape(Outline outline, String[] words) {
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

    private static final Shape CIRCLE = new Shape(Outline.CIRCLE, new String[]{"circle", "disc", "round"}),
            SQUARE = new Shape(Outline.SQUARE, new String[]{"square", "box", "block"}),
            TRIANGLE = new Shape(Outline.TRIANGLE, new String[]{"triangle", "wedge", "pyramid"}),
            RING = new Shape(Outline.RING, new String[]{"ring", "hoop", "donut"});

    public static final List<Stuff> STUFF = List.of(
            new Stuff(new String[]{"grass", "lawn", "turf"}, new int[]{70, 140, 50}, new int[]{100, 170, 70}, Texture.NOISE),
            new Stuff(new String[]{"sky", "heavens", "air"}, new int[]{150, 190, 240}, new int[]{220, 235, 250}, Texture.GRADIENT),
            new Stuff(new String[]{"sand", "beach", "dune"}, new int[]{210, 190, 140}, new int[]{180, 160, 110}, Texture.SPECKLE),
            new Stuff(new String[]{"water", "sea", "lake"}, new int[]{30, 90, 140}, new int[]{60, 130, 180}, Texture.WAVES),
            new Stuff(new String[]{"wall", "bricks", "masonry"}, new int[]{150, 70, 50}, new int[]{200, 190, 180}, Texture.BRICKS),
            new Stuff(new String[]{"floor", "planks", "boards"}, new int[]{120, 80, 40}, new int[]{150, 105, 60}, Texture.STRIPES));

    /** A colour-shape pair by index (into {@link #COLOURS} and the layout's shapes). */
    public record Pair(int colour, int shape) {
    }

    /**
     * A world's shapes and its unseen colour-shape pairs; each colour and each shape also occurs in a seen pair.
     * {@code cacheKey} names the world's rendering in the keys of cached models and features; it changes whenever the
     * classes or the rendering change, so a cached model of another world is never reused.
     */
    public record Layout(String name, List<Shape> shapes, List<Pair> unseenPairs, String cacheKey) {
    }

    /**
     * The default since world version 3: disc, triangle and ring, 15 things (5 unseen) and 6 stuff classes. The
     * square left because neither the tiny CLIP nor the student's stride-8 features tell it from a disc at 64 px.
     */
    public static final Layout THREE_SHAPES = new Layout("three-shapes", List.of(CIRCLE, TRIANGLE, RING),
            List.of(new Pair(0, 1), new Pair(1, 2), new Pair(2, 0), new Pair(3, 1), new Pair(4, 2)), "three-shapes-v3");
    /** The world of the findings measured before version 3 (20 things, 5 unseen); its cache key is unchanged. */
    public static final Layout FOUR_SHAPES = new Layout("four-shapes", List.of(CIRCLE, SQUARE, TRIANGLE, RING),
            List.of(new Pair(0, 2), new Pair(1, 3), new Pair(2, 0), new Pair(3, 1), new Pair(4, 2)), "v2");
    public static final List<Layout> LAYOUTS = List.of(THREE_SHAPES, FOUR_SHAPES);
    public static final String DEFAULT = THREE_SHAPES.name();

    private final Layout layout;
    private final List<ClassInfo> classes;

    /** The world of a layout name; unknown names are an {@link IllegalArgumentException} listing the known ones. */
    public static SyntheticWorld named(String name) {
        for (Layout l : LAYOUTS) {
            if (l.name().equals(name)) {
                return new SyntheticWorld(l);
            }
        }
        throw new IllegalArgumentException("unknown synthetic world '" + name + "' (known: "
                + String.join(", ", LAYOUTS.stream().map(Layout::name).toList()) + ")");
    }

    /** The default world. */
    public SyntheticWorld() {
        this(THREE_SHAPES);
    }

    public SyntheticWorld(Layout layout) {
        this.layout = layout;
        List<ClassInfo> list = new ArrayList<>();
        for (int c = 0; c < COLOURS.size(); c++) {
            for (int s = 0; s < layout.shapes().size(); s++) {
                boolean seen = !layout.unseenPairs().contains(new Pair(c, s));
                List<String> syn = new ArrayList<>();
                for (String cw : COLOURS.get(c).words()) {
                    for (String sw : layout.shapes().get(s).words()) {
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

    public Layout layout() {
        return layout;
    }

    public List<Shape> shapes() {
        return layout.shapes();
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
        return colour * layout.shapes().size() + shape;
    }

    public int stuffIndex(int stuff) {
        return COLOURS.size() * layout.shapes().size() + stuff;
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
