package org.gkc4j.experiments;

import org.gkc4j.io.ImageFiles;
import org.gkc4j.io.LabelMap;
import org.gkc4j.testing.Shared;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A VIPSeg_720P folder made from the shared VIPSeg sample (which ships annotations only): its JSON as both the val
 * and the train split, its panoptic PNGs, and a random-noise JPEG of each frame's size.
 */
final class VipsegSampleRoot {
    private VipsegSampleRoot() {
    }

    static Path sample() {
        return Shared.require("data/vipseg-sample");
    }

    static Path make(Path root) throws IOException {
        Path sample = sample();
        Files.createDirectories(root);
        Files.copy(sample.resolve("panoptic_gt_VIPSeg_val.json"), root.resolve("panoptic_gt_VIPSeg_val.json"));
        Files.copy(sample.resolve("panoptic_gt_VIPSeg_val.json"), root.resolve("panoptic_gt_VIPSeg_train.json"));
        SplittableRandom rng = new SplittableRandom(7);
        try (Stream<Path> pngs = Files.walk(sample.resolve("panomasksRGB"))) {
            for (Path png : pngs.filter(p -> p.toString().endsWith(".png")).sorted().toList()) {
                Path rel = sample.resolve("panomasksRGB").relativize(png);
                Path target = root.resolve("panomasksRGB").resolve(rel);
                Files.createDirectories(target.getParent());
                Files.copy(png, target);
                BufferedImage mask = ImageFiles.read(png);
                BufferedImage img = new BufferedImage(mask.getWidth(), mask.getHeight(), BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < img.getHeight(); y++) {
                    for (int x = 0; x < img.getWidth(); x++) {
                        img.setRGB(x, y, rng.nextInt(1 << 24));
                    }
                }
                String name = rel.getFileName().toString().replace(".png", ".jpg");
                ImageFiles.write(root.resolve("images").resolve(rel.getParent()).resolve(name), img, "jpg");
            }
        }
        return root;
    }

    /** The label maps of {@code dir/<video>/<frame>.png}, in video and frame name order. */
    static List<LabelMap> labelMaps(Path dir) throws IOException {
        try (Stream<Path> pngs = Files.walk(dir)) {
            return pngs.filter(p -> p.toString().endsWith(".png")).sorted().map(LabelMap::read).toList();
        }
    }
}
