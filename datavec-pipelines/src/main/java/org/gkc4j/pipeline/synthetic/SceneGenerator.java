package org.gkc4j.pipeline.synthetic;

import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Renders scenes of the {@link SyntheticWorld}, deterministically from a seed: one or two textured background
 * regions split by a wavy line, then one to three coloured shapes (solid, striped or dotted) with per-pixel labels,
 * and a caption naming them with randomly chosen synonyms.
 */
public final class SceneGenerator {
    private static final String[] PATTERNS = {"plain", "striped", "dotted"};
    private final SyntheticWorld world;
    private final int size;

    public SceneGenerator(SyntheticWorld world, int size) {
        this.world = world;
        this.size = size;
    }

    public SyntheticWorld world() {
        return world;
    }

    public int size() {
        return size;
    }

    /** What a scene may contain. */
    public enum Split {
        /** Only seen classes (segmentation training). */
        SEEN,
        /** Any class (evaluation and caption pairs). */
        ALL
    }

    /** An object to paint: {@code variant} indexes the layout's variants, {@code outline} is what is drawn. */
    record Placed(int cls, int colour, int variant, SyntheticWorld.Outline outline, int pattern, double cx, double cy, double r, double angle) {
    }

    /** A scene with 1-2 stuff regions and 1-4 objects; the caption mentions every object and the stuff. */
    public SegmentationSample scene(long seed, Split split) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = size;
        RgbImage img = RgbImage.blank(n, n);
        int[] map = new int[n * n];
        List<Segment> segments = new ArrayList<>();
        List<Integer> stuffSeen = world.classes().stream().filter(c -> !c.thing() && (split == Split.ALL || c.seen())).map(c -> c.stuff()).toList();
        int top = stuffSeen.get(rng.nextInt(stuffSeen.size()));
        int bottom = rng.nextInt(3) == 0 ? top : stuffSeen.get(rng.nextInt(stuffSeen.size()));
        double horizon = n * (0.3 + 0.4 * rng.nextDouble()), amp = n * 0.06 * rng.nextDouble(), freq = 1 + rng.nextInt(3), phase = rng.nextDouble() * 6.28;
        int topSeg = segments.size();
        segments.add(new Segment(topSeg + 1, world.stuffIndex(top), false));
        int bottomSeg = topSeg;
        if (bottom != top) {
            bottomSeg = segments.size();
            segments.add(new Segment(bottomSeg + 1, world.stuffIndex(bottom), false));
        }
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double line = horizon + amp * Math.sin(freq * 6.28 * x / n + phase);
                boolean upper = y < line;
                int st = upper ? top : bottom;
                map[y * n + x] = upper ? topSeg : bottomSeg;
                int[] rgb = stuffColour(SyntheticWorld.STUFF.get(st), x, y, seed);
                img.set(x, y, rgb[0], rgb[1], rgb[2]);
            }
        }
        List<Placed> objects = new ArrayList<>();
        int count = 1 + rng.nextInt(3);
        List<SyntheticWorld.ClassInfo> things = world.classes().stream().filter(c -> c.thing() && (split == Split.ALL || c.seen())).toList();
        for (int i = 0; i < count; i++) {
            SyntheticWorld.ClassInfo c = things.get(rng.nextInt(things.size()));
            double r = n * (0.13 + 0.15 * rng.nextDouble());
            int pattern = rng.nextInt(PATTERNS.length);
            double cx = r + rng.nextDouble() * (n - 2 * r), cy = r + rng.nextDouble() * (n - 2 * r), angle = rng.nextDouble() * Math.PI * 2;
            objects.add(new Placed(c.index(), c.colour(), c.variant(), outline(c, rng), pattern, cx, cy, r, angle));
        }
        List<Placed> kept = new ArrayList<>();
        for (Placed o : objects) {
            int seg = segments.size();
            long painted = paint(o, img, map, seg, rng);
            if (painted > 0) {
                segments.add(new Segment(seg + 1, o.cls(), false));
                kept.add(o);
            }
        }
        // drop objects hidden by later ones and stuff that no longer shows
        List<Segment> visible = new ArrayList<>();
        int[] remap = new int[segments.size()];
        long[] area = new long[segments.size()];
        for (int v : map) {
            area[v]++;
        }
        for (int s = 0; s < segments.size(); s++) {
            if (area[s] > 0) {
                remap[s] = visible.size();
                visible.add(segments.get(s));
            } else {
                remap[s] = SegmentationSample.VOID;
            }
        }
        for (int i = 0; i < map.length; i++) {
            map[i] = remap[map[i]];
        }
        String caption = caption(kept, top, bottom, rng);
        return new SegmentationSample("synthetic-" + seed, img, map, visible, List.of(caption));
    }

    /** One object of a class on a background: for zero-shot classification of objects. */
    public SegmentationSample object(int classIndex, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = size;
        RgbImage img = RgbImage.blank(n, n);
        int[] map = new int[n * n];
        int st = rng.nextInt(SyntheticWorld.STUFF.size());
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int[] rgb = stuffColour(SyntheticWorld.STUFF.get(st), x, y, seed);
                img.set(x, y, rgb[0], rgb[1], rgb[2]);
            }
        }
        SyntheticWorld.ClassInfo c = world.classes().get(classIndex);
        double r = n * (0.25 + 0.12 * rng.nextDouble());
        int pattern = rng.nextInt(PATTERNS.length);
        double cx = n / 2.0 + (rng.nextDouble() - 0.5) * n * 0.2, cy = n / 2.0 + (rng.nextDouble() - 0.5) * n * 0.2, angle = rng.nextDouble() * Math.PI * 2;
        Placed o = new Placed(classIndex, c.colour(), c.variant(), outline(c, rng), pattern, cx, cy, r, angle);
        paint(o, img, map, 1, rng);
        List<Segment> segs = List.of(new Segment(1, world.stuffIndex(st), false), new Segment(2, classIndex, false));
        return new SegmentationSample("object-" + classIndex + "-" + seed, img, map, segs, List.of(caption(List.of(o), -1, -1, rng)));
    }

    /** A shape's own outline; a tone's is drawn at random (no draw for worlds of shapes, so they render as before). */
    SyntheticWorld.Outline outline(SyntheticWorld.ClassInfo c, SplittableRandom rng) {
        SyntheticWorld.Variant v = world.variants().get(c.variant());
        if (!v.isTone()) {
            return v.outline();
        }
        List<SyntheticWorld.Variant> shapes = world.layout().toneShapes();
        return shapes.get(rng.nextInt(shapes.size())).outline();
    }

    private long paint(Placed o, RgbImage img, int[] map, int seg, SplittableRandom rng) {
        return paint(o, 0.85 + 0.3 * rng.nextDouble(), img, map, seg);
    }

    /** Paints an object with brightness {@code shade} over the image and its segment {@code seg} into the map; returns the pixels painted. */
    long paint(Placed o, double shade, RgbImage img, int[] map, int seg) {
        SyntheticWorld.Colour col = SyntheticWorld.COLOURS.get(o.colour());
        SyntheticWorld.Variant variant = world.variants().get(o.variant());
        // patterns of a world of tones stay near the object's tone, or a striped bright object would show dark stripes
        double stripe = variant.isTone() ? 0.85 : 0.6, dot = variant.isTone() ? 0.8 : 0.55;
        double red = variant.apply(col.r()), green = variant.apply(col.g()), blue = variant.apply(col.b());
        long painted = 0;
        int n = size;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double dx = x + 0.5 - o.cx(), dy = y + 0.5 - o.cy();
                double c = Math.cos(o.angle()), s = Math.sin(o.angle());
                double u = (dx * c + dy * s) / o.r(), v = (-dx * s + dy * c) / o.r();
                if (!o.outline().inside(u, v)) {
                    continue;
                }
                double f = shade;
                if (o.pattern() == 1 && ((int) Math.floor((u + 2) * 3)) % 2 == 0) {
                    f *= stripe;
                } else if (o.pattern() == 2 && (Math.pow((u * 3) - Math.rint(u * 3), 2) + Math.pow((v * 3) - Math.rint(v * 3), 2)) < 0.08) {
                    f *= dot;
                }
                img.set(x, y, clamp(red * f), clamp(green * f), clamp(blue * f));
                map[y * n + x] = seg;
                painted++;
            }
        }
        return painted;
    }

    static int[] stuffColour(SyntheticWorld.Stuff st, int x, int y, long seed) {
        double t;
        long h = hash(x, y, seed);
        double noise = ((h & 0xffff) / 65535.0);
        switch (st.texture()) {
            case NOISE -> t = noise;
            case GRADIENT -> t = Math.min(1, y / 48.0) * 0.8 + 0.2 * noise;
            case SPECKLE -> t = noise > 0.85 ? 1 : 0.2 * noise;
            case WAVES -> t = 0.5 + 0.5 * Math.sin(x * 0.5 + 2 * Math.sin(y * 0.3)) * 0.8 + 0.1 * noise;
            case BRICKS -> {
                int row = y / 6, off = row % 2 == 0 ? 0 : 5;
                boolean mortar = y % 6 == 0 || (x + off) % 10 == 0;
                t = mortar ? 1 : 0.15 * noise;
            }
            case STRIPES -> t = ((x / 5) % 2 == 0 ? 0.2 : 0.8) + 0.1 * noise;
            default -> t = noise;
        }
        int[] a = st.rgbA(), b = st.rgbB();
        return new int[]{clamp(a[0] + (b[0] - a[0]) * t), clamp(a[1] + (b[1] - a[1]) * t), clamp(a[2] + (b[2] - a[2]) * t)};
    }

    private static long hash(int x, int y, long seed) {
        long h = seed * 0x9E3779B97F4A7C15L + x * 0xC2B2AE3D27D4EB4FL + y * 0x165667B19E3779F9L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 32);
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    private String caption(List<Placed> objects, int top, int bottom, SplittableRandom rng) {
        List<String> parts = new ArrayList<>();
        for (Placed o : objects) {
            parts.add(objectPhrase(o, rng));
        }
        StringBuilder sb = new StringBuilder();
        String[] openers = {"", "a photo of ", "a picture of ", "there is ", "an image showing "};
        sb.append(pick(openers, rng));
        for (int i = 0; i < parts.size(); i++) {
            sb.append(i == 0 ? "" : i == parts.size() - 1 ? " and " : ", ").append(parts.get(i));
        }
        if (top >= 0) {
            String[] preps = {" on the ", " in front of the ", " with the ", " over the "};
            sb.append(pick(preps, rng)).append(pick(SyntheticWorld.STUFF.get(top).words(), rng));
            if (bottom != top) {
                sb.append(" and ").append(pick(SyntheticWorld.STUFF.get(bottom).words(), rng));
            }
        }
        return sb.toString();
    }

    /** "a red ring", "one striped crimson hoop"; in a world of tones "a dark red disc" or, a third of the time, "a dark red". */
    private String objectPhrase(Placed o, SplittableRandom rng) {
        String c = pick(SyntheticWorld.COLOURS.get(o.colour()).words(), rng);
        SyntheticWorld.Variant v = world.variants().get(o.variant());
        String name = v.name(c, pick(v.words(), rng));
        if (v.isTone()) {
            SyntheticWorld.Variant shape = world.layout().toneShapes().stream().filter(s -> s.outline() == o.outline()).findFirst().orElseThrow();
            if (rng.nextInt(3) != 0) {
                name += " " + pick(shape.words(), rng);
            }
        }
        String p = o.pattern() == 0 || rng.nextBoolean() ? "" : PATTERNS[o.pattern()] + " ";
        return (rng.nextInt(4) == 0 ? "one " : "a ") + p + name;
    }

    /** The number of pattern kinds an object may carry (plain, striped, dotted). */
    static int patterns() {
        return PATTERNS.length;
    }

    private static String pick(String[] a, SplittableRandom rng) {
        return a[rng.nextInt(a.length)];
    }
}
