package org.gkc4j.pipeline.datasets;

import org.gkc4j.GkcException;
import org.gkc4j.io.AtomicFiles;
import org.gkc4j.io.LabelMap;
import org.gkc4j.pipeline.SegmentationSample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The semantic view of VIPSeg for one {@link VipsegSplit}, by GKC's preparation rule: a segment's category becomes
 * its index in the split's class list (VIPSeg order: 124, 112 or 12 classes); id 0, ids the frame's
 * {@code segments_info} does not list and categories outside the split become 255. One uint8 grayscale PNG per
 * annotated frame, {@code out/<video_id>/<file_name>}.
 *
 * <p>Each PNG is written atomically, and a run skips the PNGs that already exist, so an interrupted conversion
 * resumes where it stopped. The split is recorded in {@value #MARKER}; resuming into a folder of another split is
 * refused rather than mixing the two.
 */
public final class VipsegToSemantic {
    public static final int IGNORE = 255;
    /** The file in the output folder that names the split its label maps follow. */
    public static final String MARKER = ".vipseg-to-semantic";

    /** Called after every frame: frames done (written, present or skipped) of {@code total}, and the frame's name. */
    @FunctionalInterface
    public interface Progress {
        void frameDone(long done, long total, String frame);
    }

    /**
     * What a run did.
     *
     * @param written        label maps written by this run
     * @param alreadyPresent label maps a previous run had written, left as they were
     * @param videos         videos with at least one annotated frame
     * @param classes        the split's class count
     */
    public record Result(long written, long alreadyPresent, long videos, int classes) {
    }

    private VipsegToSemantic() {
    }

    public static Result convert(Path json, Path panopticDir, VipsegSplit split, Path outDir, LoadOptions options, LoadReport report, Progress progress) {
        CocoPanopticDataset.requireDir(panopticDir, "VIPSeg panomasksRGB folder");
        VipsegIndex index = VipsegIndex.read(json, options, report);
        VipsegVocabulary vocabulary = VipsegCategories.shipped().vocabulary(split);
        claim(outDir, split);
        int[] classOf = vocabulary.indexById();
        CocoPanopticIndex.Damage damage = new CocoPanopticIndex.Damage(options, report);
        long total = index.frameCount(), done = 0, written = 0, present = 0;
        for (VipsegIndex.Video video : index.videos()) {
            for (VipsegIndex.Frame frame : video.frames()) {
                Path target = outDir.resolve(video.id()).resolve(frame.panopticFile());
                if (Files.isRegularFile(target)) {
                    present++;
                } else {
                    LabelMap labels = null;
                    try {
                        labels = labels(panopticDir.resolve(video.id()).resolve(frame.panopticFile()), frame, classOf, options, damage);
                    } catch (GkcException e) {
                        damage.skip(e.getMessage());
                    }
                    if (labels != null) {
                        // A failed write is not damaged input: it ends the run.
                        labels.writePng8(target);
                        written++;
                        report.sampleLoaded();
                    }
                }
                progress.frameDone(++done, total, video.id() + "/" + frame.panopticFile());
            }
        }
        return new Result(written, present, index.videos().stream().filter(v -> !v.frames().isEmpty()).count(), vocabulary.size());
    }

    /** Records the split in the output folder, or refuses a folder that holds another split's label maps. */
    private static void claim(Path outDir, VipsegSplit split) {
        Path marker = outDir.resolve(MARKER);
        String want = "split=" + split.name().toLowerCase(java.util.Locale.ROOT) + "\n";
        try {
            if (Files.isRegularFile(marker)) {
                String have = Files.readString(marker, StandardCharsets.UTF_8);
                if (!have.equals(want)) {
                    throw GkcException.of("%s holds VIPSeg label maps of another split (%s); use another --out", outDir, have.strip());
                }
                return;
            }
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw GkcException.of("cannot prepare %s: %s", outDir, e.getMessage());
        }
        AtomicFiles.writeString(marker, want);
    }

    private static LabelMap labels(Path png, VipsegIndex.Frame frame, int[] classOf, LoadOptions options, CocoPanopticIndex.Damage damage) {
        PanopticPng.Decoded d = PanopticPng.decode(png, frame.panopticSegments(), options.maxImagePixels());
        if (d.width() != frame.width() || d.height() != frame.height()) {
            throw GkcException.of("panoptic PNG %s is %dx%d but the JSON says %dx%d", png, d.width(), d.height(), frame.width(), frame.height());
        }
        if (!d.unknownIds().isEmpty()) {
            damage.dropSegments(d.unknownIds().size(), d.unknownPixels(), String.format(
                    "panoptic PNG %s holds segment ids the JSON does not list: %s; their pixels are 255", png, PanopticPng.describe(d.unknownIds())));
        }
        int[] segmentLabel = new int[frame.segments().size()];
        for (int s = 0; s < segmentLabel.length; s++) {
            int id = frame.segments().get(s).categoryId();
            int c = id < classOf.length ? classOf[id] : VipsegVocabulary.OUTSIDE;
            segmentLabel[s] = c == VipsegVocabulary.OUTSIDE ? IGNORE : c;
        }
        int[] map = d.segmentMap(), out = new int[map.length];
        for (int p = 0; p < map.length; p++) {
            out[p] = map[p] == SegmentationSample.VOID ? IGNORE : segmentLabel[map[p]];
        }
        return new LabelMap(d.width(), d.height(), out);
    }
}
