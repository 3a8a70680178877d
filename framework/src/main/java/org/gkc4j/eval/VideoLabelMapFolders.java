package org.gkc4j.eval;

import org.gkc4j.GkcException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Evaluates videos of label maps, {@code DIR/<video>/<frame>.png}, predictions against ground truth paired by video
 * folder and frame file name. Videos and frames are taken in name order (VSPW's frame order); maps are read one pair
 * at a time, so only the names and one frame's state are held in memory.
 */
public final class VideoLabelMapFolders {
    private VideoLabelMapFolders() {
    }

    /** Each video both folders hold, sorted, with its paired frame names, sorted; any unpaired video or frame is a one-line error. */
    public static Map<String, List<String>> pairs(Path predDir, Path gtDir) {
        TreeSet<String> pred = videoNames(predDir, "prediction"), gt = videoNames(gtDir, "ground-truth");
        lone(gt, pred, "ground-truth video", "a prediction folder in " + predDir);
        lone(pred, gt, "prediction video", "a ground-truth folder in " + gtDir);
        if (gt.isEmpty()) {
            throw GkcException.of("no video folders in %s", gtDir);
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String v : gt) {
            out.put(v, LabelMapFolders.pairs(predDir.resolve(v), gtDir.resolve(v)));
        }
        return out;
    }

    private static void lone(TreeSet<String> have, TreeSet<String> other, String what, String lacking) {
        List<String> missing = have.stream().filter(n -> !other.contains(n)).toList();
        if (!missing.isEmpty()) {
            throw GkcException.of("%d %s%s without %s: %s%s", missing.size(), what, missing.size() == 1 ? "" : "s", lacking,
                    String.join(", ", missing.subList(0, Math.min(3, missing.size()))), missing.size() > 3 ? ", ..." : "");
        }
    }

    private static TreeSet<String> videoNames(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw GkcException.of("%s folder not found: %s", what, dir);
        }
        TreeSet<String> names = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
            ds.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            throw GkcException.of("cannot list %s: %s", dir, e.getMessage());
        }
        return names;
    }

    /** Called after each video with the number of videos done. */
    @FunctionalInterface
    public interface Progress {
        void videoDone(int done, int total, String video);
    }

    /**
     * Adds every frame to {@code frames} (per-frame confusion, detectron2's rule) and, video by video in frame-name
     * order, to {@code consistency}; errors name the file as {@code <video>/<frame>}.
     */
    public static void evaluate(Path predDir, Path gtDir, Map<String, List<String>> videos, SemSegEvaluator frames, VideoConsistency consistency,
                                Progress progress) {
        int done = 0;
        for (Map.Entry<String, List<String>> v : videos.entrySet()) {
            String video = v.getKey();
            consistency.beginVideo();
            LabelMapFolders.forEachPair(predDir.resolve(video), gtDir.resolve(video), v.getValue(), video + "/", (name, pred, gt) -> {
                frames.add(pred.values(), gt.values(), gt.width());
                consistency.addFrame(gt.values(), pred.values());
            });
            progress.videoDone(++done, videos.size(), video);
        }
    }
}
