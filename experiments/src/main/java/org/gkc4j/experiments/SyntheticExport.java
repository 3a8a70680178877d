package org.gkc4j.experiments;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.gkc4j.config.Configs;
import org.gkc4j.io.AtomicFiles;
import org.gkc4j.pipeline.SampleSource;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.synthetic.SyntheticWorld;
import org.gkc4j.pipeline.text.SynonymTable;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The synthetic benchmark written as a COCO panoptic root in detectron2's layout, so the training path for real
 * datasets can be run, and checked, on it: {@code coco/train2017} holds the very training scenes the synthetic path
 * trains on (seen classes only; its JSON lists only the seen categories, so the vocabulary is the same), {@code
 * coco/val2017} the held-out test scenes with every category, {@code coco/annotations/captions_*.json} the scenes'
 * captions and {@code coco/syn_class_train2017.json} the world's synonym table keyed by the training class names.
 * Images are PNG (lossless), named by the sample id, so the teacher's and synonyms' caches see the same pixels.
 */
public final class SyntheticExport {
    public static final String SYNONYMS = "syn_class_train2017.json";

    private SyntheticExport() {
    }

    /** Writes the root; returns the number of images written. */
    public static int write(SyntheticBenchmark bench, RunConfig.Data data, int valImages, Path root) throws IOException {
        SyntheticWorld world = bench.world();
        Path coco = root.resolve("coco");
        Files.createDirectories(coco.resolve("annotations"));
        SampleSource train = bench.train(data.trainImages(), data.seed());
        List<Integer> seen = world.seen();
        int written = split(coco, "train2017", train.size(), train::get, bench.trainClasses(),
                seen.stream().map(i -> world.classes().get(i).thing()).toList());
        written += split(coco, "val2017", valImages, bench::evalScene, world.classNames(),
                world.classes().stream().map(SyntheticWorld.ClassInfo::thing).toList());
        SynonymTable.write(coco.resolve(SYNONYMS), bench.synonyms());
        return written;
    }

    /** One split: images, panoptic PNGs (segment id = R + 256 G + 256^2 B), panoptic and captions JSON. */
    private static int split(Path coco, String split, int count, IntFunction<SegmentationSample> sample, List<String> names, List<Boolean> things)
            throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode panoptic = f.objectNode(), captions = f.objectNode();
        ArrayNode images = panoptic.putArray("images"), annotations = panoptic.putArray("annotations"), categories = panoptic.putArray("categories");
        ArrayNode captionImages = captions.putArray("images"), captionList = captions.putArray("annotations");
        for (int c = 0; c < names.size(); c++) {
            categories.addObject().put("id", c + 1).put("name", names.get(c)).put("isthing", things.get(c) ? 1 : 0).put("supercategory", "synthetic");
        }
        Path imageDir = coco.resolve(split), pngDir = coco.resolve("panoptic_" + split);
        Files.createDirectories(imageDir);
        Files.createDirectories(pngDir);
        try (ProgressBar bar = new ProgressBar("export " + split, count, "images")) {
            for (int i = 0; i < count; i++) {
                SegmentationSample s = sample.apply(i);
                long imageId = i + 1;
                String file = s.id() + ".png";
                s.image().write(imageDir.resolve(file));
                org.gkc4j.io.ImageFiles.write(pngDir.resolve(file), panopticPng(s), "png");
                images.addObject().put("id", imageId).put("file_name", file).put("width", s.width()).put("height", s.height());
                captionImages.addObject().put("id", imageId).put("file_name", file).put("width", s.width()).put("height", s.height());
                ObjectNode ann = annotations.addObject().put("image_id", imageId).put("file_name", file);
                ArrayNode segs = ann.putArray("segments_info");
                long[] areas = s.areas();
                for (int k = 0; k < s.segments().size(); k++) {
                    Segment g = s.segments().get(k);
                    segs.addObject().put("id", g.id()).put("category_id", g.classIndex() + 1).put("iscrowd", g.crowd() ? 1 : 0).put("area", areas[k]);
                }
                for (String caption : s.captions()) {
                    captionList.addObject().put("id", captionList.size() + 1).put("image_id", imageId).put("caption", caption);
                }
                bar.step(i + 1, "");
            }
        }
        AtomicFiles.writeString(coco.resolve("annotations").resolve("panoptic_" + split + ".json"), Configs.JSON.writeValueAsString(panoptic));
        AtomicFiles.writeString(coco.resolve("annotations").resolve("captions_" + split + ".json"), Configs.JSON.writeValueAsString(captions));
        return count;
    }

    private static BufferedImage panopticPng(SegmentationSample s) {
        BufferedImage img = new BufferedImage(s.width(), s.height(), BufferedImage.TYPE_INT_RGB);
        int[] map = s.segmentMap();
        for (int y = 0; y < s.height(); y++) {
            for (int x = 0; x < s.width(); x++) {
                int seg = map[y * s.width() + x];
                long id = seg < 0 ? 0 : s.segments().get(seg).id();
                int r = (int) (id & 0xff), g = (int) ((id >> 8) & 0xff), b = (int) ((id >> 16) & 0xff);
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    /** The synonym table an export writes, for {@code diversification.synonyms}. */
    public static Path synonymsOf(Path root) {
        return root.resolve("coco").resolve(SYNONYMS);
    }
}
