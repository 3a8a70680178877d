package org.gkc4j.cli;

import org.gkc4j.pipeline.datasets.ClassNames;
import org.gkc4j.pipeline.text.SynonymOverrides;
import org.gkc4j.pipeline.text.SynonymTable;
import org.gkc4j.pipeline.text.WordNetSynonyms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "synonyms", mixinStandardHelpOptions = true, description = "Synonym sets for text diversification (WordNet 3.0).",
        subcommands = {SynonymsCommand.Build.class, SynonymsCommand.Score.class})
public final class SynonymsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = {"Class names to {class name: [synonyms]} JSON: the lemma names of every WordNet 3.0 noun sense of each name "
                    + "(after the authors' cleanup: -merged and -other dropped, - becomes a space), looked up exactly, then the overrides.",
                    "Overrides file: {\"replace\": {name: [..]}, \"remove\": {name: [..]}, \"extend\": {name: [..]}} keyed by the class names of --classes."})
    static final class Build implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        CommonOptions common;
        @Option(names = "--classes", required = true, description = "Classes TSV: a header with a 'name' column, one class per row.")
        Path classes;
        @Option(names = "--out", required = true, description = "Output JSON (written atomically).")
        Path out;
        @Option(names = "--overrides", description = "Hand-curated corrections (JSON with 'replace', 'remove', 'extend' sections).")
        Path overrides;

        @Override
        public Integer call() {
            List<String> names = ClassNames.readTsv(classes);
            SynonymOverrides ov = overrides == null ? SynonymOverrides.none() : SynonymOverrides.read(overrides);
            Map<String, List<String>> table;
            String version;
            try (WordNetSynonyms wn = WordNetSynonyms.load()) {
                table = SynonymTable.build(names, wn, ov);
                version = wn.version();
            }
            SynonymTable.write(out, table);
            List<String> empty = SynonymTable.empty(table);
            int total = table.values().stream().mapToInt(List::size).sum();
            PrintWriter err = spec.commandLine().getErr();
            err.printf("gkc: %d classes, %d synonyms (WordNet %s%s) written to %s%n", table.size(), total, version,
                    ov.isEmpty() ? "" : ", overrides " + overrides, out);
            if (!empty.isEmpty()) {
                err.printf("gkc: %d classes have no synonyms: %s%n", empty.size(), String.join(", ", empty));
            }
            err.flush();
            return 0;
        }
    }

    @Command(name = "score", mixinStandardHelpOptions = true,
            description = {"CLIP plausibility of each synonym per training segment: the CLIP image tower on the segment's box crop "
                    + "against \"a photo of {synonym}.\" for its class's synonyms, softmax at CLIP's logit scale (the authors' scoring). "
                    + "Writes {image id: {segment id: {synonym: p}}} JSON, which training samples synonyms from.",
                    "Segments: COCO panoptic (--json, --panoptic-dir, --images). Crowd segments are not scored."})
    static final class Score implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        CommonOptions common;
        @Option(names = "--clip", required = true, description = ClipCommand.WEIGHTS_HELP)
        Path clip;
        @Option(names = "--merges", required = true, description = "The CLIP tokenizer's merges (bpe_simple_vocab_16e6.txt.gz, or a Hugging Face vocab.json).")
        Path merges;
        @Option(names = "--synonyms", required = true, description = "Synonym sets JSON from 'gkc synonyms build', keyed by the dataset's class names.")
        Path synonyms;
        @Option(names = "--json", required = true, description = "COCO panoptic JSON.")
        Path json;
        @Option(names = "--panoptic-dir", required = true, description = "Folder of the panoptic PNGs.")
        Path panopticDir;
        @Option(names = "--images", required = true, description = "Folder of the images.")
        Path images;
        @Option(names = "--out", required = true, description = "Output JSON (written atomically).")
        Path out;

        @Override
        public Integer call() throws Exception {
            org.gkc4j.nn.fix.OpFixes.install();
            PrintWriter err = spec.commandLine().getErr();
            var report = new org.gkc4j.pipeline.datasets.LoadReport(m -> err.println("gkc: warning: " + m));
            var options = org.gkc4j.pipeline.datasets.LoadOptions.skipDamaged();
            var dataset = org.gkc4j.pipeline.datasets.CocoPanopticDataset.open(json, panopticDir, images, null, options, report);
            Map<String, List<String>> table = SynonymTable.read(synonyms);
            List<String> missing = dataset.classNames().stream().filter(c -> table.getOrDefault(c, List.of()).isEmpty()).toList();
            if (missing.size() == dataset.classNames().size()) {
                throw org.gkc4j.GkcException.of("%s has no synonyms for any of the dataset's %d class names (is it keyed by them?)", synonyms, missing.size());
            }
            var source = new org.gkc4j.pipeline.RecordReaderSource(dataset.recordReader(options, report), dataset.inputSplit(), "coco-panoptic");
            org.gkc4j.clip.ClipWeights weights = org.gkc4j.clip.ClipWeights.load(clip);
            org.gkc4j.clip.ClipTokenizer tokenizer = org.gkc4j.clip.ClipTokenizer.load(merges);
            // shards beside the output let an interrupted scoring resume; merged into one JSON at the end
            Path shards = out.resolveSibling(out.getFileName() + ".shards");
            var scores = org.gkc4j.experiments.RegionFeatures.synonymScores(source, weights, tokenizer, dataset.classNames(), table, shards,
                    org.gkc4j.pipeline.text.SynonymScores.SHARD_SIZE);
            int scored = scores.samples();
            org.gkc4j.pipeline.text.SynonymScores.writeMerged(new org.gkc4j.pipeline.ShardedCache<>(shards, org.gkc4j.pipeline.text.SynonymScores.SHARDS,
                    org.gkc4j.pipeline.text.SynonymScores.SHARD_SIZE), out);
            try (var files = Files.walk(shards)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
            err.printf("gkc: synonym scores of %d images written to %s%s%n", scored, out,
                    missing.isEmpty() ? "" : " (" + missing.size() + " classes without synonyms keep their own name)");
            var s = report.summary();
            if (s.warnings() > 0) {
                err.printf("gkc: %s%n", s);
            }
            err.flush();
            return 0;
        }
    }
}
