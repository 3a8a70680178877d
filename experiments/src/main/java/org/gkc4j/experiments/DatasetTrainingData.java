package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.pipeline.RecordReaderSource;
import org.gkc4j.pipeline.SampleSource;
import org.gkc4j.pipeline.datasets.CocoPanopticDataset;
import org.gkc4j.pipeline.datasets.LoadOptions;
import org.gkc4j.pipeline.datasets.LoadReport;
import org.gkc4j.pipeline.datasets.SemanticDataset;
import org.gkc4j.pipeline.datasets.Split;
import org.gkc4j.pipeline.text.SynonymOverrides;
import org.gkc4j.pipeline.text.SynonymTable;
import org.gkc4j.pipeline.text.WordNetSynonyms;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training split of a dataset on disk ({@code data.root} in the detectron2 layout of datavec-pipelines/DATASETS.md):
 * {@code coco-panoptic} (train2017 with its captions, the paper's training set) or any {@link SemanticDataset} with a
 * training split, for cross-dataset experiments. Samples are read one at a time by their DataVec reader; only the
 * annotation index stays in memory.
 */
final class DatasetTrainingData implements TrainingData {
    static final String COCO_PANOPTIC = "coco-panoptic";

    private final SampleSource train;
    private final List<String> classes;
    private final Map<String, List<String>> synonyms;
    private final String contentKey;

    private DatasetTrainingData(SampleSource train, List<String> classes, Map<String, List<String>> synonyms, String contentKey) {
        this.train = train;
        this.classes = List.copyOf(classes);
        this.synonyms = synonyms;
        this.contentKey = contentKey;
    }

    static DatasetTrainingData open(RunConfig cfg) {
        Path root = Path.of(cfg.data().root());
        if (!Files.isDirectory(root)) {
            throw GkcException.of("data.root %s is not a folder", root);
        }
        String key = cfg.data().dataset();
        LoadOptions options = LoadOptions.skipDamaged();
        LoadReport report = LoadReport.toStderr();
        SampleSource source;
        List<String> datasetNames;
        String content;
        if (key.equals(COCO_PANOPTIC)) {
            CocoPanopticDataset ds = CocoPanopticDataset.coco2017(root, "train2017", options, report);
            source = new RecordReaderSource(ds.recordReader(options, report), ds.inputSplit(), "coco-panoptic-train2017");
            datasetNames = ds.classNames();
            Path ann = root.resolve("coco").resolve("annotations");
            content = key + "-" + digestFiles(List.of(ann.resolve("panoptic_train2017.json"), ann.resolve("captions_train2017.json")));
        } else {
            SemanticDataset ds = SemanticDataset.byKey(key);
            var split = ds.inputSplit(root, Split.TRAIN);
            source = new RecordReaderSource(ds.recordReader(root, Split.TRAIN, options, report), split, key + "-train");
            datasetNames = ds.classNames().names();
            content = key + "-" + digestListing(split.locationsIterator());
        }
        if (source.size() == 0) {
            throw GkcException.of("no training images found for %s under %s", key, root);
        }
        List<String> classes = EvaluationSet.vocabulary(key, datasetNames);
        return new DatasetTrainingData(source, classes, synonyms(cfg.diversification(), datasetNames, classes), content);
    }

    /**
     * The synonym table keyed by the vocabulary: {@code diversification.synonyms} when it names a table (keyed by the
     * dataset's own class names, as {@code gkc synonyms build} writes it), else WordNet 3.0 with the optional
     * {@code diversification.overrides}.
     */
    static Map<String, List<String>> synonyms(RunConfig.Diversification d, List<String> datasetNames, List<String> vocabulary) {
        if (!d.enabled()) {
            return Map.of();
        }
        Map<String, List<String>> table;
        if (!d.synonyms().isEmpty()) {
            table = SynonymTable.read(Path.of(d.synonyms()));
        } else {
            SynonymOverrides overrides = d.overrides().isEmpty() ? SynonymOverrides.none() : SynonymOverrides.read(Path.of(d.overrides()));
            try (WordNetSynonyms wn = WordNetSynonyms.load()) {
                table = SynonymTable.build(datasetNames, wn, overrides);
            }
        }
        Map<String, List<String>> byVocabulary = new LinkedHashMap<>();
        for (int i = 0; i < datasetNames.size(); i++) {
            byVocabulary.put(vocabulary.get(i), table.getOrDefault(datasetNames.get(i), List.of()));
        }
        return byVocabulary;
    }

    /** SHA-256 (first 16 hex digits) over the named files' bytes; an absent file counts as absent. */
    static String digestFiles(List<Path> files) {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 20];
        for (Path f : files) {
            md.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            if (!Files.isRegularFile(f)) {
                md.update((byte) 0);
                continue;
            }
            try (InputStream in = Files.newInputStream(f)) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            } catch (IOException e) {
                throw GkcException.of("cannot read %s: %s", f, e.getMessage());
            }
        }
        return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    /** SHA-256 (first 16 hex digits) over a split's file names and sizes, in split order. */
    static String digestListing(Iterator<URI> locations) {
        MessageDigest md = sha256();
        while (locations.hasNext()) {
            Path p = Path.of(locations.next());
            long size;
            try {
                size = Files.size(p);
            } catch (IOException e) {
                size = -1;
            }
            md.update((p.getFileName() + "\t" + size + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public SampleSource train() {
        return train;
    }

    @Override
    public List<String> classes() {
        return classes;
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
