package org.gkc4j.pipeline.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import org.gkc4j.GkcException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A VIPSeg panoptic video JSON ({@code panoptic_gt_VIPSeg_{train,val,test}.json}) parsed into videos of annotated
 * frames: {@code videos[]} lists each video's {@code images} (id, file_name, width, height), {@code annotations[]}
 * holds one entry per video whose {@code annotations[]} are its frames ({@code file_name} of the panoptic PNG,
 * {@code image_id}, {@code segments_info} with {@code id}, {@code category_id}, {@code instance_id}).
 *
 * <p>Videos keep the order of {@code annotations}, frames the order of their video's annotation list. Category ids
 * are VIPSeg's; the JSON's own {@code categories}, when present, must agree with the shipped list. A malformed frame
 * (missing fields, a segment id outside 1..2^24-1 or repeated, a category VIPSeg does not define, no image entry) is
 * skipped with a warning, or fails the load when configured to; so is a malformed video entry.
 */
public final class VipsegIndex {
    /** One entry of a frame's {@code segments_info}; {@code instanceId} is -1 and {@code area} -1 when absent. */
    public record SegmentInfo(long id, int categoryId, int instanceId, boolean crowd, long area) {
    }

    /** One annotated frame: its image entry joined with its annotation. */
    public record Frame(String imageId, String imageFile, String panopticFile, int width, int height, List<SegmentInfo> segments) {
        public Frame {
            segments = List.copyOf(segments);
        }

        /** The panoptic file name without its extension: the frame's name in every output. */
        public String stem() {
            int dot = panopticFile.lastIndexOf('.');
            return dot > 0 ? panopticFile.substring(0, dot) : panopticFile;
        }

        /** The segments as the panoptic PNG decoder takes them (class indices unresolved). */
        List<CocoPanopticIndex.SegmentInfo> panopticSegments() {
            return segments.stream().map(s -> new CocoPanopticIndex.SegmentInfo(s.id(), s.categoryId(), -1, s.crowd(), s.area())).toList();
        }

        public Frame withSegments(List<SegmentInfo> kept) {
            return new Frame(imageId, imageFile, panopticFile, width, height, kept);
        }
    }

    /** One video: its id (also its folder name) and its annotated frames. */
    public record Video(String id, List<Frame> frames) {
        public Video {
            frames = List.copyOf(frames);
        }

        public Frame frame(String panopticFile) {
            for (Frame f : frames) {
                if (f.panopticFile().equals(panopticFile)) {
                    return f;
                }
            }
            return null;
        }
    }

    private record ImageEntry(String id, String fileName, int width, int height) {
    }

    private final Path source;
    private final Map<String, Video> videos;

    private VipsegIndex(Path source, Map<String, Video> videos) {
        this.source = source;
        this.videos = java.util.Collections.unmodifiableMap(videos);
    }

    public Path source() {
        return source;
    }

    /** The valid videos in JSON order. */
    public List<Video> videos() {
        return List.copyOf(videos.values());
    }

    /** The video of this id, or null. */
    public Video video(String id) {
        return videos.get(id);
    }

    public long frameCount() {
        return videos.values().stream().mapToLong(v -> v.frames().size()).sum();
    }

    public static VipsegIndex read(Path json, LoadOptions options, LoadReport report) {
        VipsegCategories shipped = VipsegCategories.shipped();
        String where = "VIPSeg JSON " + json;
        CocoPanopticIndex.Damage damage = new CocoPanopticIndex.Damage(options, report);
        Map<String, Map<String, ImageEntry>> images = new HashMap<>();
        List<PendingVideo> annotated = new ArrayList<>();
        Map<String, java.util.function.Consumer<JsonNode>> handlers = Map.of(
                "categories", n -> checkCategory(n, shipped, where),
                "videos", n -> videoEntry(n, where, damage, images),
                // Annotations may come before the videos they join: parsed now, joined once the file has streamed by.
                "annotations", n -> {
                    PendingVideo v = annotatedVideo(n, where, damage, shipped);
                    if (v != null) {
                        annotated.add(v);
                    }
                });
        CocoJson.stream(json, "VIPSeg JSON", options.maxJsonBytes(), handlers);
        Map<String, Video> videos = new LinkedHashMap<>();
        for (PendingVideo a : annotated) {
            Map<String, ImageEntry> entries = images.get(a.id());
            if (entries == null) {
                damage.skip(where + ": annotated video " + a.id() + " has no entry in videos");
                continue;
            }
            List<Frame> frames = new ArrayList<>(a.frames().size());
            for (PendingFrame f : a.frames()) {
                ImageEntry image = entries.get(f.imageId());
                if (image == null) {
                    damage.skip(where + ": video " + a.id() + " frame " + f.file() + " names image id " + f.imageId() + ", which its video's images list lacks");
                } else {
                    frames.add(new Frame(f.imageId(), image.fileName(), f.file(), image.width(), image.height(), f.segments()));
                }
            }
            if (videos.putIfAbsent(a.id(), new Video(a.id(), frames)) != null) {
                damage.skip(where + ": a second annotation entry for video " + a.id() + " (the first is kept)");
            }
        }
        return new VipsegIndex(json, videos);
    }

    private static void checkCategory(JsonNode n, VipsegCategories shipped, String where) {
        Long id = CocoJson.longField(n, "id");
        String name = CocoJson.textField(n, "name");
        if (id == null || name == null) {
            throw GkcException.of("damaged %s: a category lacks an integer id or a name", where);
        }
        VipsegCategories.Category c = id > Integer.MAX_VALUE ? null : shipped.byId(id.intValue());
        if (c == null || !c.name().equals(name)) {
            throw GkcException.of("%s defines category %d '%s', which VIPSeg's 124 categories %s", where, id, name,
                    c == null ? "lack" : "name '" + c.name() + "'");
        }
    }

    private static void videoEntry(JsonNode n, String where, CocoPanopticIndex.Damage damage, Map<String, Map<String, ImageEntry>> out) {
        String id = CocoJson.textField(n, "video_id");
        JsonNode imgs = n.get("images");
        if (id == null || imgs == null || !imgs.isArray()) {
            damage.other(where + ": a video entry lacks video_id or images");
            return;
        }
        if (!CocoPanopticIndex.plainFileName(id)) {
            damage.other(where + ": video id '" + id + "' is not a plain folder name");
            return;
        }
        Map<String, ImageEntry> byId = new HashMap<>();
        for (JsonNode i : imgs) {
            String imageId = idText(i.get("id")), file = CocoJson.textField(i, "file_name");
            Long w = CocoJson.longField(i, "width"), h = CocoJson.longField(i, "height");
            if (imageId == null || file == null || w == null || h == null || w <= 0 || h <= 0 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
                damage.other(where + ": an image entry of video " + id + " lacks id, file_name, width or height");
            } else if (!CocoPanopticIndex.plainFileName(file)) {
                damage.other(where + ": image " + imageId + " of video " + id + " has a file_name that is not a plain file name");
            } else {
                byId.put(imageId, new ImageEntry(imageId, file, w.intValue(), h.intValue()));
            }
        }
        if (out.putIfAbsent(id, byId) != null) {
            damage.other(where + ": a second video entry for " + id + " (the first is kept)");
        }
    }

    /** A frame's annotation before it is joined with its image entry. */
    private record PendingFrame(String file, String imageId, List<SegmentInfo> segments) {
    }

    private record PendingVideo(String id, List<PendingFrame> frames) {
    }

    /** One video's annotations, frame by frame; null when the whole entry is unusable (reported). */
    private static PendingVideo annotatedVideo(JsonNode n, String where, CocoPanopticIndex.Damage damage, VipsegCategories shipped) {
        String id = CocoJson.textField(n, "video_id");
        JsonNode frames = n.get("annotations");
        if (id == null || frames == null || !frames.isArray()) {
            damage.skip(where + ": an annotation entry lacks video_id or annotations");
            return null;
        }
        if (!CocoPanopticIndex.plainFileName(id)) {
            damage.skip(where + ": annotated video id '" + id + "' is not a plain folder name");
            return null;
        }
        List<PendingFrame> out = new ArrayList<>();
        Set<String> files = new HashSet<>();
        for (JsonNode f : frames) {
            String file = CocoJson.textField(f, "file_name");
            String name = "video " + id + " frame " + (file != null ? file : "#" + out.size());
            String problem;
            try {
                PendingFrame frame = frame(f, shipped);
                if (files.add(frame.file())) {
                    out.add(frame);
                    continue;
                }
                problem = "is annotated twice (the first is kept)";
            } catch (GkcException e) {
                problem = e.getMessage();
            }
            damage.skip(where + ": " + name + " " + problem);
        }
        return new PendingVideo(id, out);
    }

    /** Parses one frame; a {@link GkcException} says what is wrong with it. */
    private static PendingFrame frame(JsonNode f, VipsegCategories shipped) {
        String file = CocoJson.textField(f, "file_name"), imageId = idText(f.get("image_id"));
        JsonNode segs = f.get("segments_info");
        if (file == null || imageId == null || segs == null || !segs.isArray()) {
            throw new GkcException("lacks file_name, image_id or segments_info");
        }
        if (!CocoPanopticIndex.plainFileName(file)) {
            throw new GkcException("has a file_name that is not a plain file name");
        }
        if (segs.size() > CocoPanopticIndex.MAX_SEGMENTS_PER_IMAGE) {
            throw GkcException.of("has %d segments (the limit is %d)", segs.size(), CocoPanopticIndex.MAX_SEGMENTS_PER_IMAGE);
        }
        List<SegmentInfo> segments = new ArrayList<>(segs.size());
        Set<Long> seen = new HashSet<>();
        for (JsonNode s : segs) {
            Long id = CocoJson.longField(s, "id"), cat = CocoJson.longField(s, "category_id");
            Long instance = s.has("instance_id") ? CocoJson.longField(s, "instance_id") : Long.valueOf(-1);
            Long crowd = s.has("iscrowd") ? CocoJson.longField(s, "iscrowd") : Long.valueOf(0);
            Long area = s.has("area") ? CocoJson.longField(s, "area") : Long.valueOf(-1);
            if (id == null || cat == null || instance == null || crowd == null || area == null || instance < -1 || instance > Integer.MAX_VALUE) {
                throw new GkcException("has a segment without an integer id, category_id, instance_id, iscrowd or area");
            }
            if (id < 1 || id > CocoPanopticIndex.MAX_SEGMENT_ID) {
                throw GkcException.of("has segment id %d outside 1..%d", id, CocoPanopticIndex.MAX_SEGMENT_ID);
            }
            if (!seen.add(id)) {
                throw GkcException.of("lists segment id %d twice", id);
            }
            if (cat < 0 || cat > Integer.MAX_VALUE || shipped.byId(cat.intValue()) == null) {
                throw GkcException.of("has segment %d of category %d, which VIPSeg does not define", id, cat);
            }
            segments.add(new SegmentInfo(id, cat.intValue(), instance.intValue(), crowd != 0, area));
        }
        return new PendingFrame(file, imageId, segments);
    }

    /** VIPSeg's image ids are strings ({@code <video>_<frame>}); a numeric id is accepted as its decimal text. */
    private static String idText(JsonNode v) {
        if (v == null) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        return v.canConvertToExactIntegral() ? v.bigIntegerValue().toString() : null;
    }
}
