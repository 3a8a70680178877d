package org.gkc4j.pipeline.synthetic;

import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The synthetic world in motion, deterministically from a seed: the scenes of {@link SceneGenerator} (one or two
 * textured backgrounds split by a wavy line, coloured shapes of the world's classes) filmed by a slowly panning
 * camera while the shapes move, turn, grow or shrink, pass in front of each other (a fixed depth order) and enter or
 * leave the frame. Every segment keeps its id through the video (background regions 1 and 2, objects 3 and up, in
 * depth order), so ids are tracks; a frame lists only the segments it shows.
 */
public final class VideoSceneGenerator {
    /**
     * A video: its frames in order, segment ids consistent across frames, and each object's own pixels in each frame
     * before nearer objects cover it ({@code objectPixels[t][i]} for the object of id 3 + i), which says how much of it
     * is hidden.
     */
    public record Video(String id, List<SegmentationSample> frames, long[][] objectPixels) {
        public Video {
            frames = List.copyOf(frames);
        }
    }

    /** An object's path: start centre, velocity (pixels per frame), start angle and spin, radius and its growth per frame. */
    private record Motion(SceneGenerator.Placed start, double vx, double vy, double spin, double growth, double shade) {
        SceneGenerator.Placed at(int t) {
            SceneGenerator.Placed s = start;
            return new SceneGenerator.Placed(s.cls(), s.colour(), s.variant(), s.outline(), s.pattern(), s.cx() + vx * t, s.cy() + vy * t,
                    s.r() * Math.max(0.3, 1 + growth * t), s.angle() + spin * t);
        }
    }

    private final SyntheticWorld world;
    private final SceneGenerator scenes;
    private final int size;

    public VideoSceneGenerator(SyntheticWorld world, int size) {
        this.world = world;
        this.scenes = new SceneGenerator(world, size);
        this.size = size;
    }

    public SyntheticWorld world() {
        return world;
    }

    public int size() {
        return size;
    }

    /** A video of {@code frames} frames whose classes {@code split} allows. */
    public Video video(long seed, int frames, SceneGenerator.Split split) {
        if (frames < 1) {
            throw new IllegalArgumentException("a video has at least one frame, not " + frames);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int n = size;
        List<Integer> stuff = world.classes().stream().filter(c -> !c.thing() && (split == SceneGenerator.Split.ALL || c.seen())).map(c -> c.stuff()).toList();
        int top = stuff.get(rng.nextInt(stuff.size()));
        int bottom = rng.nextInt(3) == 0 ? top : stuff.get(rng.nextInt(stuff.size()));
        double horizon = n * (0.3 + 0.4 * rng.nextDouble()), amp = n * 0.06 * rng.nextDouble(), freq = 1 + rng.nextInt(3), phase = rng.nextDouble() * 6.28;
        double pan = (rng.nextDouble() - 0.5) * 1.5;   // camera pan, pixels per frame
        List<SyntheticWorld.ClassInfo> things = world.classes().stream().filter(c -> c.thing() && (split == SceneGenerator.Split.ALL || c.seen())).toList();
        int count = 1 + rng.nextInt(3);
        List<Motion> objects = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SyntheticWorld.ClassInfo c = things.get(rng.nextInt(things.size()));
            double r = n * (0.13 + 0.15 * rng.nextDouble());
            int pattern = rng.nextInt(SceneGenerator.patterns());
            double speed = 0.5 + 2.0 * rng.nextDouble(), heading = rng.nextDouble() * 2 * Math.PI;
            double vx = speed * Math.cos(heading), vy = speed * Math.sin(heading);
            double cx = r + rng.nextDouble() * (n - 2 * r), cy = r + rng.nextDouble() * (n - 2 * r);
            if (frames > 3 && rng.nextInt(3) == 0) {
                // enters: fully inside at frame te, entirely outside at frame 0 on the side it comes from (its speed
                // set so; the bounding circle of radius r clears the frame edge)
                int te = 2 + rng.nextInt(Math.max(1, frames / 2 - 1));
                double ux = Math.cos(heading), uy = Math.sin(heading);
                double toEdge = Math.min(ux < 0 ? (n - cx) / -ux : ux > 0 ? cx / ux : Double.MAX_VALUE,
                        uy < 0 ? (n - cy) / -uy : uy > 0 ? cy / uy : Double.MAX_VALUE);
                speed = (toEdge + r + 1) / te;
                vx = speed * ux;
                vy = speed * uy;
                cx -= vx * te;
                cy -= vy * te;
            }
            double angle = rng.nextDouble() * Math.PI * 2, spin = (rng.nextDouble() - 0.5) * 0.3, growth = (rng.nextDouble() - 0.5) * 0.02;
            SceneGenerator.Placed p = new SceneGenerator.Placed(c.index(), c.colour(), c.variant(), scenes.outline(c, rng), pattern, cx, cy, r, angle);
            objects.add(new Motion(p, vx, vy, spin, growth, 0.85 + 0.3 * rng.nextDouble()));
        }
        List<SegmentationSample> out = new ArrayList<>(frames);
        long[][] painted = new long[frames][count];
        for (int t = 0; t < frames; t++) {
            out.add(frame(seed, t, top, bottom, horizon, amp, freq, phase, pan, objects, painted[t]));
        }
        return new Video("synthetic-video-" + seed, out, painted);
    }

    private SegmentationSample frame(long seed, int t, int top, int bottom, double horizon, double amp, double freq, double phase, double pan,
                                     List<Motion> objects, long[] painted) {
        int n = size;
        RgbImage img = RgbImage.blank(n, n);
        int[] map = new int[n * n];
        // candidate segments by track: 0 top stuff, 1 bottom stuff, 2.. objects; ids are track + 1
        List<Segment> tracks = new ArrayList<>();
        tracks.add(new Segment(1, world.stuffIndex(top), false));
        tracks.add(new Segment(2, world.stuffIndex(bottom), false));
        int shift = (int) Math.round(pan * t);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double line = horizon + amp * Math.sin(freq * 6.28 * (x + pan * t) / n + phase);
                boolean upper = y < line;
                map[y * n + x] = upper || bottom == top ? 0 : 1;
                int[] rgb = SceneGenerator.stuffColour(SyntheticWorld.STUFF.get(upper ? top : bottom), x + shift, y, seed);
                img.set(x, y, rgb[0], rgb[1], rgb[2]);
            }
        }
        for (int i = 0; i < objects.size(); i++) {
            Motion m = objects.get(i);
            tracks.add(new Segment(3 + i, m.start().cls(), false));
            painted[i] = scenes.paint(m.at(t), m.shade(), img, map, 2 + i);
        }
        long[] area = new long[tracks.size()];
        for (int v : map) {
            area[v]++;
        }
        List<Segment> visible = new ArrayList<>();
        int[] remap = new int[tracks.size()];
        for (int s = 0; s < tracks.size(); s++) {
            remap[s] = area[s] > 0 ? visible.size() : SegmentationSample.VOID;
            if (area[s] > 0) {
                visible.add(tracks.get(s));
            }
        }
        for (int i = 0; i < map.length; i++) {
            map[i] = remap[map[i]];
        }
        return new SegmentationSample(String.format("synthetic-video-%d/%05d", seed, t), img, map, visible, List.of());
    }
}
