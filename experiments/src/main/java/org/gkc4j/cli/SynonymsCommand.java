package org.gkc4j.cli;

import org.gkc4j.pipeline.text.ClassNames;
import org.gkc4j.pipeline.text.SynonymOverrides;
import org.gkc4j.pipeline.text.SynonymTable;
import org.gkc4j.pipeline.text.WordNetSynonyms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "synonyms", mixinStandardHelpOptions = true, description = "Synonym sets for text diversification (WordNet 3.0).",
        subcommands = {SynonymsCommand.Build.class})
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
}
