package org.gkc4j.eval;

import org.gkc4j.GkcException;
import org.gkc4j.io.LabelMap;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Evaluates a folder of predicted label-map PNGs against a folder of ground-truth PNGs, paired by file name. Only
 * the names are held in memory; the maps are read one pair at a time, so folders of any size stream through.
 */
public final class LabelMapFolders {
    private LabelMapFolders() {
    }

    /** The PNG file names both folders hold, sorted; any file without its pair is a one-line error. */
    public static List<String> pairs(Path predDir, Path gtDir) {
        TreeSet<String> pred = pngNames(predDir, "prediction"), gt = pngNames(gtDir, "ground-truth");
        missing(pred, gt, "prediction", "a ground-truth PNG in " + gtDir);
        missing(gt, pred, "ground-truth PNG", "a prediction in " + predDir);
        if (pred.isEmpty()) {
            throw GkcException.of("no PNG label maps in %s", predDir);
        }
        return new ArrayList<>(pred);
    }

    private static void missing(TreeSet<String> have, TreeSet<String> other, String what, String lacking) {
        List<String> lone = have.stream().filter(n -> !other.contains(n)).limit(3).toList();
        if (!lone.isEmpty()) {
            long count = have.stream().filter(n -> !other.contains(n)).count();
            throw GkcException.of("%d %s%s without %s: %s%s", count, what, count == 1 ? "" : "s", lacking,
                    String.join(", ", lone), count > lone.size() ? ", ..." : "");
        }
    }

    private static TreeSet<String> pngNames(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw GkcException.of("%s folder not found: %s", what, dir);
        }
        TreeSet<String> names = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> p.getFileName().toString().toLowerCase().endsWith(".png") && Files.isRegularFile(p))) {
            ds.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            throw GkcException.of("cannot list %s: %s", dir, e.getMessage());
        }
        return names;
    }

    /** Receives one pair of maps of the same size. */
    @FunctionalInterface
    public interface PairVisitor {
        void visit(String name, LabelMap pred, LabelMap gt);
    }

    /** Adds every pair to {@code evaluator}; a size mismatch or an unreadable or invalid map names its file. */
    public static void evaluate(Path predDir, Path gtDir, List<String> names, SemSegEvaluator evaluator) {
        forEachPair(predDir, gtDir, names, "", (name, pred, gt) -> evaluator.add(pred.values(), gt.values(), gt.width()));
    }

    /**
     * Reads the pairs one at a time, in the order of {@code names}, and hands each to {@code visitor}. A size mismatch,
     * an unreadable map or a {@link GkcException} from the visitor is a one-line error naming the file as
     * {@code displayPrefix + name}.
     */
    public static void forEachPair(Path predDir, Path gtDir, List<String> names, String displayPrefix, PairVisitor visitor) {
        for (String name : names) {
            LabelMap pred = LabelMap.read(predDir.resolve(name)), gt = LabelMap.read(gtDir.resolve(name));
            String shown = displayPrefix + name;
            if (pred.width() != gt.width() || pred.height() != gt.height()) {
                throw GkcException.of("size mismatch for %s: prediction %dx%d, ground truth %dx%d", shown, pred.width(), pred.height(), gt.width(), gt.height());
            }
            try {
                visitor.visit(name, pred, gt);
            } catch (GkcException e) {
                throw new GkcException(shown + ": " + e.getMessage(), e);
            }
        }
    }
}
