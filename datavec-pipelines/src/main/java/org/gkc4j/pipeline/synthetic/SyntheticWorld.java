package org.gkc4j.pipeline.synthetic;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in open-vocabulary world: "thing" classes pair a colour with a variant, either a shape (a red ring) or a
 * tone (a dark red object of any shape); "stuff" classes are textured backgrounds (grass, sky, sand...). Every
 * colour, variant and stuff has several words (synonyms) that captions use interchangeably, so a CLIP trained on the
 * captions learns them. A fixed set of colour-variant pairs is unseen: never annotated in segmentation training,
 * only met in captions (as the web's captions cover what a segmentation dataset does not) and at evaluation. Each
 * unseen pair's colour and variant occur in seen pairs, so the unseen classes are new compositions of known words.
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

    /**
     * What tells things of one colour apart: a shape (named after the colour, "red ring") or a tone (named before it,
     * "dark red", and drawn in any of the layout's outlines). {@code tone} lightens (> 0, towards white) or darkens
     * (< 0, towards black) the colour by that fraction; {@code outline} is null for a tone. Words: canonical first.
     */
    public record Variant(Outline outline, double tone, String[] words) {
        public static Variant shape(Outline outline, String... words) {
            return new Variant(outline, 0, words);
        }

        public static Variant tone(double tone, String... words) {
            return new Variant(null, tone, words);
        }

        public boolean isTone() {
            return outline == null;
        }

        /** A class name of this variant with colour word {@code colour}. */
        public String name(String colour, String word) {
            return isTone() ? word + " " + colour : colour + " " + word;
        }

        /** One channel of a colour in this tone. */
        public double apply(double channel) {
            return tone >= 0 ? channel + (255 - channel) * tone : channel * (1 + tone);
        }
    }

    /** A background kind: its words, base colours and texture. */
    public record Stuff(String[] words, int[] rgbA, int[] rgbB, Texture texture) {
    }

    public enum Texture { NOISE, STRIPES, GRADIENT, SPECKLE, BRICKS, WAVES }

    /** One class of the world: canonical name, synonyms (canonical first), seen in training or not. */
    public record ClassInfo(int index, String name, List<String> synonyms, boolean thing, boolean seen, int colour, int variant, int stuff) {
    }

    public static final List<Colour> COLOURS = List.of(
            new Colour(new String[]{"red", "crimson", "scarlet"}, 220, 40, 40),
            new Colour(new String[]{"green", "emerald", "lime"}, 40, 190, 60),
            new Colour(new String[]{"blue", "azure", "cobalt"}, 40, 80, 230),
            new Colour(new String[]{"yellow", "golden", "lemon"}, 235, 215, 40),
            new Colour(new String[]{"purple", "violet", "lilac"}, 150, 60, 200));

    private static final Variant CIRCLE = Variant.shape(Outline.CIRCLE, "circle", "disc", "round"),
            SQUARE = Variant.shape(Outline.SQUARE, "square", "box", "block"),
            TRIANGLE = Variant.shape(Outline.TRIANGLE, "triangle", "wedge", "pyramid"),
            RING = Variant.shape(Outline.RING, "ring", "hoop", "donut"),
            DARK = Variant.tone(-0.55, "dark", "deep", "dusky"),
            BRIGHT = Variant.tone(0, "bright", "vivid", "strong"),
            PALE = Variant.tone(0.55, "pale", "light", "soft");

    public static final List<Stuff> STUFF = List.of(
            new Stuff(new String[]{"grass", "lawn", "turf"}, new int[]{70, 140, 50}, new int[]{100, 170, 70}, Texture.NOISE),
            new Stuff(new String[]{"sky", "heavens", "air"}, new int[]{150, 190, 240}, new int[]{220, 235, 250}, Texture.GRADIENT),
            new Stuff(new String[]{"sand", "beach", "dune"}, new int[]{210, 190, 140}, new int[]{180, 160, 110}, Texture.SPECKLE),
            new Stuff(new String[]{"water", "sea", "lake"}, new int[]{30, 90, 140}, new int[]{60, 130, 180}, Texture.WAVES),
            new Stuff(new String[]{"wall", "bricks", "masonry"}, new int[]{150, 70, 50}, new int[]{200, 190, 180}, Texture.BRICKS),
            new Stuff(new String[]{"floor", "planks", "boards"}, new int[]{120, 80, 40}, new int[]{150, 105, 60}, Texture.STRIPES));

    /** A colour-variant pair by index (into {@link #COLOURS} and the layout's variants). */
    public record Pair(int colour, int variant) {
    }

    /**
     * A world's variants, the shapes its tones are drawn in (none for a world of shapes), and its unseen
     * colour-variant pairs; each colour and each variant also occurs in a seen pair. {@code cacheKey} names the
     * world's rendering in the keys of cached models and features; it changes whenever the classes or the rendering
     * change, so a cached model of another world is never reused.
     */
    public record Layout(String name, List<Variant> variants, List<Variant> toneShapes, List<Pair> unseenPairs, String cacheKey) {
        public Layout {
            boolean tones = variants.stream().anyMatch(Variant::isTone);
            if (tones != !toneShapes.isEmpty() || variants.stream().anyMatch(v -> v.isTone() != tones)) {
                throw new IllegalArgumentException("a layout's variants are all shapes or all tones, and tones need shapes to be drawn in");
            }
        }
    }

    /**
     * The default since world version 3: disc, triangle and ring, 15 things (5 unseen) and 6 stuff classes. The
     * square left because neither the tiny CLIP nor the student's stride-8 features tell it from a disc at 64 px.
     */
    public static final Layout THREE_SHAPES = new Layout("three-shapes", List.of(CIRCLE, TRIANGLE, RING), List.of(),
            List.of(new Pair(0, 1), new Pair(1, 2), new Pair(2, 0), new Pair(3, 1), new Pair(4, 2)), "three-shapes-v3");
    /** The world of the findings measured before version 3 (20 things, 5 unseen); its cache key is unchanged. */
    public static final Layout FOUR_SHAPES = new Layout("four-shapes", List.of(CIRCLE, SQUARE, TRIANGLE, RING), List.of(),
            List.of(new Pair(0, 2), new Pair(1, 3), new Pair(2, 0), new Pair(3, 1), new Pair(4, 2)), "v2");
    /**
     * Colour x tone (dark, bright, pale), 15 things (5 unseen) drawn as discs, triangles or rings at random: the
     * second attribute is one a Mask2Former query can read from the pixels under its mask, where shape was not.
     */
    public static final Layout TONES = new Layout("tones", List.of(DARK, BRIGHT, PALE), List.of(CIRCLE, TRIANGLE, RING),
            List.of(new Pair(0, 1), new Pair(1, 2), new Pair(2, 0), new Pair(3, 1), new Pair(4, 2)), "tones-v1");
    public static final List<Layout> LAYOUTS = List.of(THREE_SHAPES, FOUR_SHAPES, TONES);
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
            for (int s = 0; s < layout.variants().size(); s++) {
                boolean seen = !layout.unseenPairs().contains(new Pair(c, s));
                Variant v = layout.variants().get(s);
                List<String> syn = new ArrayList<>();
                for (String cw : COLOURS.get(c).words()) {
                    for (String vw : v.words()) {
                        syn.add(v.name(cw, vw));
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

    public List<Variant> variants() {
        return layout.variants();
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

    public int thingIndex(int colour, int variant) {
        return colour * layout.variants().size() + variant;
    }

    public int stuffIndex(int stuff) {
        return COLOURS.size() * layout.variants().size() + stuff;
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
