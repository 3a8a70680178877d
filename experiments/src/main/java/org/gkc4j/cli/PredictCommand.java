package org.gkc4j.cli;

import org.gkc4j.experiments.ProgressBar;
import org.gkc4j.GkcException;
import org.gkc4j.experiments.ClipResources;
import org.gkc4j.experiments.Pictures;
import org.gkc4j.experiments.SemanticPredictions;
import org.gkc4j.experiments.TrainedModel;
import org.gkc4j.io.LabelMap;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.augment.Resampling;
import org.gkc4j.util.TextFiles;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Segment images with any vocabulary: label maps (PNG) and colour overlays with a legend.")
public final class PredictCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;
    @Option(names = "--checkpoint", required = true, description = "A run folder, or its model.safetensors / checkpoint.safetensors.")
    Path checkpoint;
    @Option(names = "--image", required = true, description = "An image file or a folder of images.")
    Path image;
    @ArgGroup(exclusive = true, multiplicity = "1")
    Vocabulary vocabulary;
    @Option(names = "--size", description = "Resize the shorter edge to this (default: the training size).")
    Integer size;
    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    static final class Vocabulary {
        @Option(names = "--vocab", description = "Comma-separated class names, e.g. \"cat, dog, grass\".")
        String inline;
        @Option(names = "--vocab-file", description = "UTF-8 file, one class name per line.")
        Path file;

        List<String> names() {
            List<String> raw = inline != null ? Arrays.asList(inline.split(",")) : TextFiles.readLines(file);
            List<String> names = raw.stream().map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
            if (names.isEmpty()) {
                throw new GkcException("the vocabulary is empty: give at least one class name");
            }
            return names;
        }
    }

    @Override
    public Integer call() throws Exception {
        List<String> names = vocabulary.names();
        List<Path> images = images(image);
        TrainedModel model = TrainedModel.load(checkpoint);
        ClipResources clip = ClipResources.open(model.config());
        SemanticPredictions predictions = new SemanticPredictions(model.config().model(), model.weights(), clip.embed(names));
        int shortest = size != null ? size : model.config().data().imageSize();
        Files.createDirectories(out);
        try (ProgressBar bar = new ProgressBar("predict", images.size(), "images")) {
            for (int i = 0; i < images.size(); i++) {
                Path p = images.get(i);
                RgbImage original = RgbImage.read(p);
                int[] wh = Resampling.shortestEdgeSize(original.width(), original.height(), shortest, Math.max(shortest, 4 * shortest));
                RgbImage resized = Resampling.bilinear(original, wh[0], wh[1]);
                int[] labels = predictions.predict(List.of(resized))[0];
                int[] full = Resampling.nearest(labels, wh[0], wh[1], original.width(), original.height());
                String stem = p.getFileName().toString().replaceFirst("\\.[^.]+$", "");
                LabelMap map = new LabelMap(original.width(), original.height(), full);
                if (names.size() > 255) {
                    map.writePng16(out.resolve(stem + ".png"));
                } else {
                    map.writePng8(out.resolve(stem + ".png"));
                }
                Pictures.overlayColumns(out.resolve(stem + "_overlay.png"), List.of(original), List.of(List.of(full)), List.of("image", "prediction"), names,
                        Set.of(), -1);
                bar.step(i + 1, p.getFileName().toString());
            }
        }
        System.err.printf(Locale.ROOT, "gkc: %d label maps and overlays written to %s (vocabulary of %d names)%n", images.size(), out, names.size());
        return 0;
    }

    static List<Path> images(Path p) throws Exception {
        if (Files.isDirectory(p)) {
            try (Stream<Path> s = Files.list(p)) {
                List<Path> list = new ArrayList<>(s.filter(f -> f.toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|bmp|gif)$")).sorted().toList());
                if (list.isEmpty()) {
                    throw GkcException.of("no images (png, jpg, bmp, gif) in %s", p);
                }
                return list;
            }
        }
        if (!Files.exists(p)) {
            throw GkcException.of("image not found: %s", p);
        }
        return List.of(p);
    }
}
