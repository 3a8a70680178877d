package org.gkc4j.experiments;

import org.gkc4j.cli.GkcMain;
import org.gkc4j.testing.Shared;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Run-config overrides that shrink the demo to seconds (the shared tiny CLIP, a few images, a small network). */
final class TinyRuns {
    private TinyRuns() {
    }

    static List<String> overrides(Path cache, int iterations) {
        return List.of(
                "clip.weights=" + Shared.require("fixtures/clip-rn-tiny/clip.safetensors"),
                "clip.merges=" + Shared.require("data/clip/bpe_simple_vocab_16e6.txt.gz"),
                "clip.cache=" + cache,
                "model.head.embedDim=32", "model.pixelDecoder.convDim=32", "model.pixelDecoder.maskDim=32",
                "model.pixelDecoder.encoderFfnDim=32", "model.decoder.hidden=32", "model.decoder.ffnDim=32",
                "model.decoder.queries=6", "model.decoder.decLayers=2", "model.decoder.maskShapeChannels=4",
                "data.trainImages=12", "data.threads=1", "criterion.points=64", "criterion.maxTargetsPerImage=6",
                "train.batchSize=2", "train.iterations=" + iterations, "train.checkpointEvery=1", "evaluation.images=8", "evaluation.visualise=2",
                "evaluation.seenPenalties=[0.0, 1.0]", "evaluation.hubnessWeights=[0.0, 0.5]", "evaluation.validationImages=8");
    }

    /** The command line with {@code --set} for every override appended. */
    static String[] withOverrides(List<String> overrides, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        for (String o : overrides) {
            all.add("--set");
            all.add(o);
        }
        return all.toArray(new String[0]);
    }

    /** Runs the command line; stderr goes to {@code err}. */
    static int run(StringWriter err, String... args) {
        return GkcMain.execute(args, new PrintWriter(new StringWriter()), new PrintWriter(err, true));
    }
}
