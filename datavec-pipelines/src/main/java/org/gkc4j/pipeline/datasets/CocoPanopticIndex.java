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
 * A COCO panoptic JSON ({@code images}, {@code annotations} with {@code segments_info}, {@code categories}) parsed into
 * what the readers need. The contiguous class index of a category is its position in the JSON's {@code categories}
 * list (for COCO: the 133 classes in {@code COCO_CATEGORIES} order, as detectron2 and the GKC code number them).
 *
 * <p>A malformed annotation (missing fields, a segment id that is not 1..2^24-1 or repeats, a category the JSON does
 * not define, no matching image entry) is skipped with a warning, or fails the load when configured to. A malformed
 * category list is always fatal: every class index depends on it.
 */
public final class CocoPanopticIndex {
    /** The largest id the RGB encoding can hold. */
    public static final long MAX_SEGMENT_ID = (1L << 24) - 1;
    /** Far above COCO's largest segment count (under 100); bounds per-image work on hostile input. */
    public static final int MAX_SEGMENTS_PER_IMAGE = 1 << 16;

    public record Category(int id, String name, boolean thing) {
    }

    public record ImageInfo(long id, String fileName, int width, int height) {
    }

    /** One entry of {@code segments_info}; {@code categoryIndex} is the contiguous class index; area -1 when absent. */
    public record SegmentInfo(long id, int categoryId, int categoryIndex, boolean crowd, long area) {
    }

    /** One entry of {@code annotations}: the panoptic PNG's file name and its segments in JSON order. */
    public record Annotation(long imageId, String fileName, List<SegmentInfo> segments) {
        public Annotation {
            segments = List.copyOf(segments);
        }

        /** The file name without its extension: the sample id the readers and the converter use. */
        public String stem() {
            int dot = fileName.lastIndexOf('.');
            return dot > 0 ? fileName.substring(0, dot) : fileName;
        }
    }

    private final Path source;
    private final List<Category> categories;
    private final Map<Long, ImageInfo> images;
    private final Map<String, Annotation> annotations;
    private final List<Annotation> ordered;
    private final Set<String> rejected;

    private CocoPanopticIndex(Path source, List<Category> categories, Map<Long, ImageInfo> images, Map<String, Annotation> annotations, Set<String> rejected) {
        this.source = source;
        this.categories = List.copyOf(categories);
        this.images = Map.copyOf(images);
        this.annotations = java.util.Collections.unmodifiableMap(annotations);
        this.ordered = List.copyOf(annotations.values());
        this.rejected = Set.copyOf(rejected);
    }

    public Path source() {
        return source;
    }

    public List<Category> categories() {
        return categories;
    }

    public List<String> classNames() {
        return categories.stream().map(Category::name).toList();
    }

    /** Valid annotations in JSON order. */
    public List<Annotation> annotations() {
        return ordered;
    }

    public Annotation annotation(String fileName) {
        return annotations.get(fileName);
    }

    /** Whether the JSON lists this panoptic file name but its annotation was rejected (already reported). */
    public boolean wasRejected(String fileName) {
        return rejected.contains(fileName);
    }

    public ImageInfo image(long imageId) {
        return images.get(imageId);
    }

    public static CocoPanopticIndex read(Path json, LoadOptions options, LoadReport report) {
        List<Category> categories = new ArrayList<>();
        Map<Integer, Integer> categoryIndex = new HashMap<>();
        Map<Long, ImageInfo> images = new HashMap<>();
        List<Annotation> parsed = new ArrayList<>();
        Set<String> rejected = new HashSet<>();
        String where = "panoptic JSON " + json;
        Damage damage = new Damage(options, report);
        Map<String, java.util.function.Consumer<JsonNode>> handlers = Map.of(
                "categories", n -> {
                    Long id = CocoJson.longField(n, "id");
                    String name = CocoJson.textField(n, "name");
                    if (id == null || name == null || id < 0 || id > Integer.MAX_VALUE) {
                        throw GkcException.of("damaged %s: category %d lacks an integer id or a name", where, categories.size());
                    }
                    if (categoryIndex.putIfAbsent(id.intValue(), categories.size()) != null) {
                        throw GkcException.of("damaged %s: category id %d appears twice", where, id);
                    }
                    Long thing = CocoJson.longField(n, "isthing");
                    categories.add(new Category(id.intValue(), name, thing != null && thing == 1));
                },
                "images", n -> {
                    Long id = CocoJson.longField(n, "id"), w = CocoJson.longField(n, "width"), h = CocoJson.longField(n, "height");
                    String file = CocoJson.textField(n, "file_name");
                    if (id == null || file == null || w == null || h == null || w <= 0 || h <= 0 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
                        damage.other(where + ": an image entry lacks id, file_name, width or height");
                        return;
                    }
                    if (!plainFileName(file)) {
                        damage.other(where + ": image " + id + " has a file_name that is not a plain file name");
                        return;
                    }
                    images.put(id, new ImageInfo(id, file, w.intValue(), h.intValue()));
                },
                "annotations", n -> annotation(n, where, damage, parsed, rejected));
        CocoJson.stream(json, "panoptic JSON", options.maxJsonBytes(), handlers);
        if (categories.isEmpty()) {
            throw GkcException.of("damaged %s: it defines no categories", where);
        }
        // COCO writes the categories last, so class indices are resolved after the whole file has streamed by.
        Map<String, Annotation> byFile = new LinkedHashMap<>();
        for (Annotation a : parsed) {
            String problem = null;
            List<SegmentInfo> resolved = new ArrayList<>(a.segments().size());
            for (SegmentInfo s : a.segments()) {
                Integer index = categoryIndex.get(s.categoryId());
                if (index == null) {
                    problem = "has segment " + s.id() + " of category " + s.categoryId() + ", which the categories list lacks";
                    break;
                }
                resolved.add(new SegmentInfo(s.id(), s.categoryId(), index, s.crowd(), s.area()));
            }
            if (problem == null && !images.containsKey(a.imageId())) {
                problem = "names image id " + a.imageId() + ", which the images list lacks";
            }
            if (problem != null) {
                rejected.add(a.fileName());
                damage.skip(where + ": annotation " + a.fileName() + " " + problem);
            } else if (byFile.putIfAbsent(a.fileName(), new Annotation(a.imageId(), a.fileName(), resolved)) != null) {
                damage.skip(where + ": a second annotation for " + a.fileName() + " (the first is kept)");
            }
        }
        return new CocoPanopticIndex(json, categories, images, byFile, rejected);
    }

    /** Parses one annotation with unresolved class indices (-1), or reports why it is skipped. */
    private static void annotation(JsonNode n, String where, Damage damage, List<Annotation> out, Set<String> rejected) {
        String file = CocoJson.textField(n, "file_name");
        Long imageId = CocoJson.longField(n, "image_id");
        JsonNode segs = n.get("segments_info");
        String name = file != null ? file : "#" + (out.size() + rejected.size());
        String problem = null;
        List<SegmentInfo> segments = new ArrayList<>();
        if (file == null || imageId == null || segs == null || !segs.isArray()) {
            problem = "lacks file_name, image_id or segments_info";
        } else if (!plainFileName(file)) {
            problem = "has a file_name that is not a plain file name";
        } else if (segs.size() > MAX_SEGMENTS_PER_IMAGE) {
            problem = "has " + segs.size() + " segments (the limit is " + MAX_SEGMENTS_PER_IMAGE + ")";
        } else {
            Set<Long> seen = new HashSet<>();
            for (JsonNode s : segs) {
                Long id = CocoJson.longField(s, "id"), cat = CocoJson.longField(s, "category_id");
                Long crowd = s.has("iscrowd") ? CocoJson.longField(s, "iscrowd") : Long.valueOf(0);
                Long area = s.has("area") ? CocoJson.longField(s, "area") : Long.valueOf(-1);
                if (id == null || cat == null || crowd == null || area == null || cat < 0 || cat > Integer.MAX_VALUE) {
                    problem = "has a segment without an integer id, category_id, iscrowd or area";
                } else if (id < 1 || id > MAX_SEGMENT_ID) {
                    problem = "has segment id " + id + " outside 1.." + MAX_SEGMENT_ID;
                } else if (!seen.add(id)) {
                    problem = "lists segment id " + id + " twice";
                } else {
                    segments.add(new SegmentInfo(id, cat.intValue(), -1, crowd != 0, area));
                    continue;
                }
                break;
            }
        }
        if (problem != null) {
            if (file != null) {
                rejected.add(file);
            }
            damage.skip(where + ": annotation " + name + " " + problem);
            return;
        }
        out.add(new Annotation(imageId, file, segments));
    }

    /** File names come from outside: keep every path they form inside its folder. */
    static boolean plainFileName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0 && name.indexOf('\\') < 0 && name.indexOf('\0') < 0;
    }

    /** Applies the damage policy: warn and count (the message then says what was skipped), or stop. */
    record Damage(LoadOptions options, LoadReport report) {
        void skip(String message) {
            if (options.onDamage() == LoadOptions.OnDamage.FAIL) {
                throw new GkcException(message);
            }
            report.sampleSkipped(message + "; skipped");
        }

        void other(String message) {
            if (options.onDamage() == LoadOptions.OnDamage.FAIL) {
                throw new GkcException(message);
            }
            report.otherWarning(message + "; skipped");
        }

        void dropSegments(int count, long pixels, String message) {
            if (options.onDamage() == LoadOptions.OnDamage.FAIL) {
                throw new GkcException(message);
            }
            report.segmentsDropped(count, pixels, message);
        }
    }
}
