package org.gkc4j.experiments;

import org.gkc4j.pipeline.SampleSource;
import org.gkc4j.pipeline.SegmentationSample;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.datasets.VipsegCategories;
import org.gkc4j.pipeline.datasets.VipsegDataset;
import org.gkc4j.pipeline.datasets.VipsegIndex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * VIPSeg's training videos as a set of frames (every frame of every video the variant keeps, video by video, frames
 * in name order, as read for training: the variant's segments, labels indexing its class names, at full size): what
 * the image method's caches are computed over, so VIPSeg training reads them per frame and track as image training
 * reads them per image and segment. Synonym candidates come from the run's {@code diversification} section, as for a
 * dataset of images (a table, or WordNet with optional overrides).
 */
final class VipsegTrainingData implements TrainingData {
    private final VipsegDataset data;
    private final List<String[]> frames = new ArrayList<>();   // video id, panoptic file
    private final Map<String, List<String>> synonyms;
    private final String contentKey;

    VipsegTrainingData(VipsegDataset data, Path annotations, RunConfig.Diversification diversification) {
        this.data = data;
        for (VipsegIndex.Video v : data.videos()) {
            v.frames().stream().map(VipsegIndex.Frame::panopticFile).sorted(Comparator.naturalOrder()).forEach(f -> frames.add(new String[]{v.id(), f}));
        }
        this.synonyms = synonyms(diversification, data.classNames());
        this.contentKey = "vipseg-" + data.variant().name().toLowerCase(Locale.ROOT) + "-" + DatasetTrainingData.digestFiles(List.of(annotations));
    }

    /**
     * The synonym candidates of the variant's names, built over all 124 VIPSeg names: an overrides file (or table) is
     * keyed by VIPSeg's names and may name the unseen ones a base variant does not train.
     */
    static Map<String, List<String>> synonyms(RunConfig.Diversification diversification, List<String> variantNames) {
        List<String> all = VipsegCategories.shipped().all().stream().map(VipsegCategories.Category::name).toList();
        Map<String, List<String>> every = DatasetTrainingData.synonyms(diversification, all, all);
        if (every.isEmpty()) {
            return every;
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String name : variantNames) {
            out.put(name, every.getOrDefault(name, List.of()));
        }
        return out;
    }

    @Override
    public SampleSource train() {
        return new SampleSource() {
            @Override
            public int size() {
                return frames.size();
            }

            @Override
            public SegmentationSample get(int index) {
                String[] f = frames.get(index);
                return data.frame(f[0], f[1], LoadOptions.skipDamaged(), LoadReport.quiet()).sample();
            }

            @Override
            public String name() {
                return "vipseg-train-frames";
            }
        };
    }

    @Override
    public List<String> classes() {
        return data.classNames();
    }

    @Override
    public Map<String, List<String>> synonyms() {
        return synonyms;
    }

    @Override
    public String contentKey() {
        return contentKey;
    }
}
