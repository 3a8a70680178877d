package org.gkc4j.pipeline.datasets;

import org.gkc4j.GkcException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a semantic-segmentation dataset keeps its images and label maps, relative to the datasets root
 * ({@code $DETECTRON2_DATASETS}). Samples are enumerated from the label side, as detectron2's {@code load_sem_seg}
 * pairs files: every label file of the split is one sample, its image found by name.
 */
public sealed interface SemanticLayout {
    /** The split's label files in a fixed (sorted or listed) order; a missing folder or list is a one-line error. */
    List<Path> labelFiles(Path root, Split split);

    /** The image paired with a label file. */
    Path imageFor(Path root, Split split, Path labelFile);

    /** The sample id of a label file (its name without the layout's suffix). */
    String idOf(Path labelFile);

    /** Folder patterns of the split, for documentation and error messages. */
    String describe(Split split);

    /** {@code images/<id><imageExt>} beside {@code labels/<id><labelExt>}, one folder pair per split (null: no such split). */
    record PairedFolders(String imagesTrain, String labelsTrain, String imagesVal, String labelsVal, String imageExt, String labelExt)
            implements SemanticLayout {
        @Override
        public List<Path> labelFiles(Path root, Split split) {
            Path dir = root.resolve(labels(split));
            if (!Files.isDirectory(dir)) {
                throw GkcException.of("label folder not found: %s (layout: %s)", dir, describe(split));
            }
            List<Path> out = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + labelExt)) {
                ds.forEach(p -> out.add(p));
            } catch (IOException e) {
                throw GkcException.of("cannot list %s: %s", dir, e.getMessage());
            }
            out.sort(null);
            return out;
        }

        @Override
        public Path imageFor(Path root, Split split, Path labelFile) {
            return root.resolve(split == Split.TRAIN ? imagesTrain : imagesVal).resolve(idOf(labelFile) + imageExt);
        }

        @Override
        public String idOf(Path labelFile) {
            String n = labelFile.getFileName().toString();
            return n.endsWith(labelExt) ? n.substring(0, n.length() - labelExt.length()) : n;
        }

        private String labels(Split split) {
            String l = split == Split.TRAIN ? labelsTrain : labelsVal;
            if (l == null) {
                throw GkcException.of("this dataset has no %s split in its detectron2 layout", split.name().toLowerCase());
            }
            return l;
        }

        @Override
        public String describe(Split split) {
            String l = split == Split.TRAIN ? labelsTrain : labelsVal;
            if (l == null) {
                return "no " + split.name().toLowerCase() + " split";
            }
            return (split == Split.TRAIN ? imagesTrain : imagesVal) + "/<id>" + imageExt + " with " + l + "/<id>" + labelExt;
        }
    }

    /**
     * Pascal VOC 2012 as distributed: {@code VOCdevkit/VOC2012/ImageSets/Segmentation/{train,val}.txt} lists the ids,
     * {@code SegmentationClass/<id>.png} are the palette label PNGs, {@code JPEGImages/<id>.jpg} the images.
     */
    record Voc2012() implements SemanticLayout {
        static final String BASE = "VOCdevkit/VOC2012";
        /** Far above VOC's 1,464 / 1,449 ids; bounds the list file. */
        static final long MAX_LIST_BYTES = 16L << 20;

        @Override
        public List<Path> labelFiles(Path root, Split split) {
            Path list = root.resolve(BASE).resolve("ImageSets/Segmentation").resolve(split == Split.TRAIN ? "train.txt" : "val.txt");
            List<String> ids;
            try {
                if (!Files.isRegularFile(list)) {
                    throw GkcException.of("split list not found: %s (layout: %s)", list, describe(split));
                }
                if (Files.size(list) > MAX_LIST_BYTES) {
                    throw GkcException.of("split list %s is larger than %d bytes", list, MAX_LIST_BYTES);
                }
                ids = Files.readAllLines(list, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw GkcException.of("cannot read %s: %s", list, e.getMessage());
            }
            Path labels = root.resolve(BASE).resolve("SegmentationClass");
            List<Path> out = new ArrayList<>(ids.size());
            for (String line : ids) {
                String id = line.strip();
                if (id.isEmpty()) {
                    continue;
                }
                if (!id.matches("[A-Za-z0-9_.-]+") || id.contains("..")) {
                    throw GkcException.of("split list %s holds %s, which is not an image id", list, id);
                }
                out.add(labels.resolve(id + ".png"));
            }
            return out;
        }

        @Override
        public Path imageFor(Path root, Split split, Path labelFile) {
            return root.resolve(BASE).resolve("JPEGImages").resolve(idOf(labelFile) + ".jpg");
        }

        @Override
        public String idOf(Path labelFile) {
            String n = labelFile.getFileName().toString();
            return n.endsWith(".png") ? n.substring(0, n.length() - 4) : n;
        }

        @Override
        public String describe(Split split) {
            String s = split == Split.TRAIN ? "train" : "val";
            return BASE + "/ImageSets/Segmentation/" + s + ".txt listing <id>, " + BASE + "/JPEGImages/<id>.jpg with " + BASE + "/SegmentationClass/<id>.png";
        }
    }

    /**
     * Cityscapes with the train-id labels made by cityscapesscripts' {@code createTrainIdLabelImgs}:
     * {@code cityscapes/leftImg8bit/<split>/<city>/<id>_leftImg8bit.png} with
     * {@code cityscapes/gtFine/<split>/<city>/<id>_gtFine_labelTrainIds.png}.
     */
    record Cityscapes() implements SemanticLayout {
        static final String IMAGE_SUFFIX = "_leftImg8bit.png", LABEL_SUFFIX = "_gtFine_labelTrainIds.png";

        @Override
        public List<Path> labelFiles(Path root, Split split) {
            Path dir = root.resolve("cityscapes/gtFine").resolve(name(split));
            if (!Files.isDirectory(dir)) {
                throw GkcException.of("label folder not found: %s (layout: %s)", dir, describe(split));
            }
            List<Path> out = new ArrayList<>();
            try (DirectoryStream<Path> cities = Files.newDirectoryStream(dir, Files::isDirectory)) {
                for (Path city : cities) {
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(city, "*" + LABEL_SUFFIX)) {
                        ds.forEach(out::add);
                    }
                }
            } catch (IOException e) {
                throw GkcException.of("cannot list %s: %s", dir, e.getMessage());
            }
            out.sort(null);
            return out;
        }

        @Override
        public Path imageFor(Path root, Split split, Path labelFile) {
            String city = labelFile.getParent().getFileName().toString();
            return root.resolve("cityscapes/leftImg8bit").resolve(name(split)).resolve(city).resolve(idOf(labelFile) + IMAGE_SUFFIX);
        }

        @Override
        public String idOf(Path labelFile) {
            String n = labelFile.getFileName().toString();
            return n.endsWith(LABEL_SUFFIX) ? n.substring(0, n.length() - LABEL_SUFFIX.length()) : n;
        }

        private static String name(Split split) {
            return split == Split.TRAIN ? "train" : "val";
        }

        @Override
        public String describe(Split split) {
            return "cityscapes/leftImg8bit/" + name(split) + "/<city>/<id>" + IMAGE_SUFFIX + " with cityscapes/gtFine/" + name(split) + "/<city>/<id>" + LABEL_SUFFIX;
        }
    }
}
