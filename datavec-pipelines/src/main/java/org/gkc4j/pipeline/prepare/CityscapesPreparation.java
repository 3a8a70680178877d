package org.gkc4j.pipeline.prepare;

import org.gkc4j.GkcException;
import org.gkc4j.io.LabelMap;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Cityscapes: {@code cityscapes/gtFine/{train,val}/<city>/<id>_gtFine_labelIds.png} (from {@code gtFine_trainvaltest.zip})
 * to {@code <id>_gtFine_labelTrainIds.png} beside it, by the official labelId-to-trainId table of cityscapesscripts'
 * {@code labels.py} ({@link #TRAIN_ID}); ignored ids become 255. Label ids are 0..33; the license plate's id -1 is
 * stored as 255 in a uint8 file and stays 255. Any other value (34..254) is not a Cityscapes label id: the file is
 * reported as damaged. The result equals cityscapesscripts' {@code createTrainIdLabelImgs}, which draws the same
 * table from the polygons.
 */
public final class CityscapesPreparation implements Preparation {
    public static final String GT = "cityscapes/gtFine";
    public static final List<String> SPLITS = List.of("train", "val");
    public static final String IN_SUFFIX = "_gtFine_labelIds.png", OUT_SUFFIX = "_gtFine_labelTrainIds.png";
    static final int IGNORE = 255;
    /**
     * trainId of labelId 0..33 (cityscapesscripts' labels table: road 7, sidewalk 8, building 11, wall 12, fence 13,
     * pole 17, traffic light 19, traffic sign 20, vegetation 21, terrain 22, sky 23, person 24, rider 25, car 26,
     * truck 27, bus 28, train 31, motorcycle 32, bicycle 33 are trained; every other id is ignored).
     */
    public static final int[] TRAIN_ID = {
            255, 255, 255, 255, 255, 255, 255, 0, 1, 255,
            255, 2, 3, 4, 255, 255, 255, 5, 255, 6,
            7, 8, 9, 10, 11, 12, 13, 14, 15, 255,
            255, 16, 17, 18};

    @Override
    public String key() {
        return "cityscapes-19";
    }

    @Override
    public Plan plan(Path root, LoadOptions options, LoadReport report) {
        List<PrepareUnit> units = new ArrayList<>();
        int found = 0;
        for (String split : SPLITS) {
            Path dir = root.resolve(GT).resolve(split);
            if (!Files.isDirectory(dir)) {
                report.otherWarning("folder " + dir + " not found; split " + split + " not prepared");
                continue;
            }
            found++;
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> cities = Files.newDirectoryStream(dir, Files::isDirectory)) {
                for (Path city : cities) {
                    files.addAll(InputFiles.list(city, IN_SUFFIX));
                }
            } catch (IOException e) {
                throw GkcException.of("cannot list %s: %s", dir, e.getMessage());
            }
            files.sort(null);
            for (Path f : files) {
                Path target = f.resolveSibling(InputFiles.stem(f, IN_SUFFIX) + OUT_SUFFIX);
                String name = split + "/" + f.getParent().getFileName() + "/" + f.getFileName();
                units.add(new PrepareUnit(name, List.of(target), () -> List.of(convert(f, target, options))));
            }
        }
        if (found == 0) {
            throw GkcException.of("no Cityscapes labels under %s: expected %s/{train,val}/<city>/<id>%s (unpack gtFine_trainvaltest.zip in %s)",
                    root.resolve(GT), root.resolve(GT), IN_SUFFIX, root.resolve("cityscapes"));
        }
        return new Plan(units, 19);
    }

    static LabelOutput convert(Path file, Path target, LoadOptions options) {
        LabelMap raw = LabelMap.read(file, options.maxImagePixels());
        int[] v = raw.values(), out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            int id = v[i];
            if (id < TRAIN_ID.length) {
                out[i] = TRAIN_ID[id];
            } else if (id == 255) {
                out[i] = IGNORE;
            } else {
                throw GkcException.of("label map %s holds %d at (%d, %d), which is not a Cityscapes label id (0..33, or 255 for -1)",
                        file, id, i % raw.width(), i / raw.width());
            }
        }
        return LabelOutput.written(target, new LabelMap(raw.width(), raw.height(), out), LabelOutput.Format.PNG8, IGNORE);
    }
}
