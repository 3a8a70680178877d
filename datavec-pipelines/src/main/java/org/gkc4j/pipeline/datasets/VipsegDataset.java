package org.gkc4j.pipeline.datasets;

import org.datavec.api.split.CollectionInputSplit;
import org.datavec.api.split.InputSplit;
import org.gkc4j.GkcException;
import org.gkc4j.io.ImageFiles;
import org.gkc4j.pipeline.RgbImage;
import org.gkc4j.pipeline.Segment;
import org.gkc4j.pipeline.SegmentationSample;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A VIPSeg panoptic video dataset on disk, in VIPSeg's 720p layout:
 * <pre>
 * VIPSeg_720P/images/&lt;video&gt;/&lt;frame&gt;.jpg
 * VIPSeg_720P/panomasksRGB/&lt;video&gt;/&lt;frame&gt;.png      segment id = R + 256 G + 256^2 B, 0 = void
 * VIPSeg_720P/panoptic_gt_VIPSeg_{train,val,test}.json
 * </pre>
 * read through a {@link VipsegVariant}. A segment's class index is its category's position in the variant's class
 * list (VIPSeg order). Pixels of id 0, of ids the frame's {@code segments_info} does not list (reported as dropped
 * segments) and of segments the variant removes are void.
 */
public final class VipsegDataset {
    private final VipsegIndex index;
    private final VipsegVariant variant;
    private final VipsegVocabulary vocabulary;
    private final Map<String, VipsegIndex.Video> videos;
    private final Path panopticDir;
    private final Path imageDir;
    private final int[] classIndexById;

    private VipsegDataset(VipsegIndex index, VipsegVariant variant, Path panopticDir, Path imageDir) {
        VipsegCategories categories = VipsegCategories.shipped();
        this.index = index;
        this.variant = variant;
        this.vocabulary = categories.vocabulary(variant.vocabulary());
        this.classIndexById = vocabulary.indexById();
        this.panopticDir = panopticDir;
        this.imageDir = imageDir;
        Map<String, VipsegIndex.Video> kept = new LinkedHashMap<>();
        for (VipsegIndex.Video v : index.videos()) {
            VipsegIndex.Video read = variant.apply(v, categories);
            if (read != null) {
                kept.put(read.id(), read);
            }
        }
        this.videos = java.util.Collections.unmodifiableMap(kept);
    }

    /** Indexes the JSON (frames are read lazily); {@code imageDir} may be null when only annotations are wanted. */
    public static VipsegDataset open(Path json, Path panopticDir, Path imageDir, VipsegVariant variant, LoadOptions options, LoadReport report) {
        CocoPanopticDataset.requireDir(panopticDir, "VIPSeg panomasksRGB folder");
        if (imageDir != null) {
            CocoPanopticDataset.requireDir(imageDir, "VIPSeg image folder");
        }
        return new VipsegDataset(VipsegIndex.read(json, options, report), variant, panopticDir, imageDir);
    }

    /** VIPSeg's 720p layout under {@code vipseg720p} (the {@code VIPSeg_720P} folder); {@code split} is train, val or test. */
    public static VipsegDataset vipseg720p(Path vipseg720p, String split, VipsegVariant variant, LoadOptions options, LoadReport report) {
        return open(vipseg720p.resolve("panoptic_gt_VIPSeg_" + split + ".json"), vipseg720p.resolve("panomasksRGB"),
                vipseg720p.resolve("images"), variant, options, report);
    }

    public VipsegIndex index() {
        return index;
    }

    public VipsegVariant variant() {
        return variant;
    }

    /** The class list of the variant: 124 categories, or the 112 seen ones for the base variants. */
    public VipsegVocabulary vocabulary() {
        return vocabulary;
    }

    public List<String> classNames() {
        return vocabulary.names();
    }

    /** The videos the variant keeps, in JSON order, with the segments it keeps. */
    public List<VipsegIndex.Video> videos() {
        return List.copyOf(videos.values());
    }

    /** The panoptic PNG of every frame of every kept video, video by video. */
    public InputSplit inputSplit() {
        List<URI> uris = new ArrayList<>();
        for (VipsegIndex.Video v : videos.values()) {
            for (VipsegIndex.Frame f : v.frames()) {
                uris.add(panopticPng(v.id(), f).toUri());
            }
        }
        return new CollectionInputSplit(uris);
    }

    public Path panopticPng(String videoId, VipsegIndex.Frame frame) {
        return panopticDir.resolve(videoId).resolve(frame.panopticFile());
    }

    /** A reader initialised with {@link #inputSplit()}. */
    public VipsegRecordReader recordReader(LoadOptions options, LoadReport report) {
        VipsegRecordReader r = new VipsegRecordReader(this, options, report);
        try {
            r.initialize(inputSplit());
        } catch (IOException | InterruptedException e) {
            throw new GkcException("cannot initialise the VIPSeg reader: " + e.getMessage(), e);
        }
        return r;
    }

    /** Frame samples decoded from the reader's records (id {@code <video>/<frame>}). */
    public Iterator<SegmentationSample> samples(LoadOptions options, LoadReport report) {
        return recordReader(options, report).samples();
    }

    /** Whether the JSON annotates this video but the variant leaves it out. */
    boolean leftOut(String videoId) {
        return index.video(videoId) != null && !videos.containsKey(videoId);
    }

    /** The kept video of this id, or null. */
    public VipsegIndex.Video video(String videoId) {
        return videos.get(videoId);
    }

    /**
     * Decodes one frame of a kept video: its panoptic PNG against the frame's full {@code segments_info}, then the
     * variant's removed segments made void; with an image folder, the image too (else a black image of the frame's
     * size). A damaged frame is a {@link GkcException}.
     */
    public VipsegFrameSample frame(String videoId, String panopticFile, LoadOptions options, LoadReport report) {
        VipsegIndex.Video video = videos.get(videoId), raw = index.video(videoId);
        VipsegIndex.Frame kept = video == null ? null : video.frame(panopticFile);
        if (kept == null) {
            throw GkcException.of("VIPSeg frame %s/%s has no annotation in %s (or the %s variant leaves it out)", videoId, panopticFile,
                    index.source(), variant.name().toLowerCase(java.util.Locale.ROOT));
        }
        VipsegIndex.Frame full = raw.frame(panopticFile);
        Path png = panopticPng(videoId, full);
        PanopticPng.Decoded d = PanopticPng.decode(png, full.panopticSegments(), options.maxImagePixels());
        if (d.width() != full.width() || d.height() != full.height()) {
            throw GkcException.of("panoptic PNG %s is %dx%d but the JSON says %dx%d", png, d.width(), d.height(), full.width(), full.height());
        }
        if (!d.unknownIds().isEmpty()) {
            new CocoPanopticIndex.Damage(options, report).dropSegments(d.unknownIds().size(), d.unknownPixels(), String.format(
                    "panoptic PNG %s holds segment ids the JSON does not list: %s; their pixels are void", png, PanopticPng.describe(d.unknownIds())));
        }
        // Full segment position -> kept position (segments keep their order), or void.
        int[] keptIndex = new int[full.segments().size()];
        List<Segment> segments = new ArrayList<>(kept.segments().size());
        for (int i = 0, k = 0; i < keptIndex.length; i++) {
            VipsegIndex.SegmentInfo s = full.segments().get(i);
            if (k < kept.segments().size() && kept.segments().get(k).id() == s.id()) {
                keptIndex[i] = k++;
                segments.add(new Segment(s.id(), classIndexById[s.categoryId()], s.crowd()));
            } else {
                keptIndex[i] = SegmentationSample.VOID;
            }
        }
        int[] map = d.segmentMap();
        for (int p = 0; p < map.length; p++) {
            if (map[p] != SegmentationSample.VOID) {
                map[p] = keptIndex[map[p]];
            }
        }
        RgbImage image;
        if (imageDir != null) {
            Path imageFile = imageDir.resolve(videoId).resolve(full.imageFile());
            image = RgbImage.fromBufferedImage(ImageFiles.read(imageFile, options.maxImagePixels()));
            if (image.width() != d.width() || image.height() != d.height()) {
                throw GkcException.of("image %s is %dx%d but its panoptic PNG %dx%d", imageFile, image.width(), image.height(), d.width(), d.height());
            }
        } else {
            image = RgbImage.blank(d.width(), d.height());
        }
        SegmentationSample sample = new SegmentationSample(videoId + "/" + full.stem(), image, map, segments, List.of());
        return new VipsegFrameSample(videoId, kept, sample);
    }
}
