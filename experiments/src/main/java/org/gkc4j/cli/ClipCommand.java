package org.gkc4j.cli;

import org.gkc4j.experiments.ClipPretraining;
import org.gkc4j.experiments.ClipPretrainConfig;
import org.gkc4j.GkcException;
import org.gkc4j.clip.ClipImageEncoder;
import org.gkc4j.clip.ClipTextEncoder;
import org.gkc4j.clip.ClipTokenizer;
import org.gkc4j.clip.ClipWeights;
import org.gkc4j.io.Npy;
import org.gkc4j.util.TextFiles;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "clip", mixinStandardHelpOptions = true,
        description = "CLIP tokenizer and towers (OpenAI-layout weights: safetensors, or PyTorch .pt/.pth files as OpenAI publishes them).",
        subcommands = {ClipCommand.Tokenize.class, ClipCommand.EncodeText.class, ClipCommand.EncodeImage.class, ClipCommand.Convert.class,
                ClipCommand.Pretrain.class})
public final class ClipCommand implements Runnable {
    static final String WEIGHTS_HELP = "CLIP weights in OpenAI's key layout: .safetensors, or a PyTorch file (OpenAI's TorchScript .pt, a torch.save state dict).";

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "tokenize", mixinStandardHelpOptions = true, description = "Texts file to int32 [N, 77] token ids (.npy).")
    static final class Tokenize implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = "--vocab", required = true, description = "BPE merges file (OpenAI's bpe_simple_vocab_16e6.txt.gz) or a Hugging Face vocab.json / folder.")
        Path vocab;
        @Option(names = "--texts", required = true, description = "UTF-8 texts, one per line.")
        Path texts;
        @Option(names = "--out", required = true, description = "Output .npy.")
        Path out;
        @Option(names = "--context", defaultValue = "77", description = "Context length (default ${DEFAULT-VALUE}).")
        int context;

        @Override
        public Integer call() {
            ClipTokenizer tok = ClipTokenizer.load(vocab);
            List<String> lines = TextFiles.readLines(texts);
            Npy.write(out, tok.tokenize(lines, context));
            System.err.printf("gkc: %d texts tokenized to %s%n", lines.size(), out);
            return 0;
        }
    }

    @Command(name = "encode-text", mixinStandardHelpOptions = true, description = "Texts file to float32 [N, E] text features (not normalised).")
    static final class EncodeText implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = "--weights", required = true, description = WEIGHTS_HELP)
        Path weights;
        @Option(names = "--vocab", required = true, description = "BPE merges file or Hugging Face vocab.json / folder.")
        Path vocab;
        @Option(names = "--texts", required = true, description = "UTF-8 texts, one per line.")
        Path texts;
        @Option(names = "--out", required = true, description = "Output .npy.")
        Path out;
        @Option(names = "--batch", defaultValue = "64", description = "Texts per forward pass (default ${DEFAULT-VALUE}).")
        int batch;

        @Override
        public Integer call() {
            ClipWeights w = ClipWeights.load(weights);
            List<String> lines = TextFiles.readLines(texts);
            if (lines.isEmpty()) {
                throw GkcException.of("texts file %s is empty", texts);
            }
            INDArray f = new ClipTextEncoder(w, ClipTokenizer.load(vocab), batch).encode(lines);
            Npy.write(out, f);
            System.err.printf("gkc: %d text features %s written to %s%n", lines.size(), java.util.Arrays.toString(f.shape()), out);
            return 0;
        }
    }

    @Command(name = "encode-image", mixinStandardHelpOptions = true,
            description = "Normalised images [N,3,R,R] (.npy) to attention-pool features [N, E]; optionally the four stage maps.")
    static final class EncodeImage implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = "--weights", required = true, description = WEIGHTS_HELP)
        Path weights;
        @Option(names = "--images", required = true, description = "float32 [N,3,H,W], already normalised.")
        Path images;
        @Option(names = "--out", required = true, description = "Output .npy of features.")
        Path out;
        @Option(names = "--features-dir", description = "Also write layer1.npy .. layer4.npy (NCHW) here.")
        Path featuresDir;
        @Option(names = "--batch", defaultValue = "8", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
        int batch;

        @Override
        public Integer call() throws Exception {
            ClipWeights w = ClipWeights.load(weights);
            INDArray x = Npy.read(images);
            if (x.rank() != 4 || x.size(1) != 3) {
                throw GkcException.of("images %s must be [N,3,H,W]; got %s", images, java.util.Arrays.toString(x.shape()));
            }
            long n = x.size(0);
            int b = (int) Math.max(1, Math.min(batch, n));
            List<String> which = new ArrayList<>(List.of(ClipImageEncoder.GLOBAL));
            if (featuresDir != null) {
                which.addAll(ClipImageEncoder.STAGES);
            }
            ClipImageEncoder enc = new ClipImageEncoder(w, b, x.size(2), x.size(3), false);
            Map<String, INDArray> all = new HashMap<>();
            for (long s = 0; s < n; s += b) {
                long e = Math.min(n, s + b);
                INDArray chunk = x.get(NDArrayIndex.interval(s, e), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
                if (e - s < b) {
                    INDArray pad = Nd4j.create(chunk.dataType(), b, 3, x.size(2), x.size(3));
                    pad.get(NDArrayIndex.interval(0, e - s), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).assign(chunk);
                    chunk = pad;
                }
                Map<String, INDArray> r = enc.run(chunk, which);
                for (String k : which) {
                    INDArray v = r.get(k);
                    INDArray keep = v.get(NDArrayIndex.interval(0, e - s));
                    all.merge(k, keep.dup(), (a, c) -> Nd4j.concat(0, a, c));
                }
            }
            Npy.write(out, all.get(ClipImageEncoder.GLOBAL));
            if (featuresDir != null) {
                Files.createDirectories(featuresDir);
                for (String k : ClipImageEncoder.STAGES) {
                    Npy.write(featuresDir.resolve(k + ".npy"), all.get(k));
                }
            }
            System.err.printf("gkc: %d images encoded to %s%n", n, out);
            return 0;
        }
    }

    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = "CLIP weights from a PyTorch file (or safetensors) to OpenAI-layout float32 safetensors with the text head count as metadata.")
    static final class Convert implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = "--in", required = true, description = "CLIP weights: OpenAI's TorchScript .pt, a torch.save state dict, or safetensors.")
        Path in;
        @Option(names = "--out", required = true, description = "Output .safetensors (written atomically).")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out)) {
                throw GkcException.of("--out %s is the input file; name another", out);
            }
            ClipWeights w = ClipWeights.load(in);
            w.save(out);
            System.err.printf("gkc: %d tensors (%s) written to %s%n", w.tensors().size(), w.config().summary(), out);
            return 0;
        }
    }

    @Command(name = "pretrain", mixinStandardHelpOptions = true,
            description = "Pretrain the tiny CLIP of the built-in default on the synthetic world; writes clip.safetensors (OpenAI layout), merges.txt and zero_shot.json.")
    static final class Pretrain implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = "--out", defaultValue = "runs/clip-tiny", description = "Output folder (default ${DEFAULT-VALUE}).")
        Path out;
        @Option(names = "--config", description = "YAML overriding the defaults of the pretraining recipe.")
        Path config;
        @Option(names = "--set", description = "Override a key (a.b=value).")
        List<String> overrides = new ArrayList<>();
        @Option(names = "--world", description = "The synthetic world's layout (default: the built-in default's).")
        String world = org.gkc4j.pipeline.synthetic.SyntheticWorld.DEFAULT;

        @Override
        public Integer call() throws Exception {
            ClipPretrainConfig cfg = org.gkc4j.config.Configs.load(ClipPretrainConfig.class, ClipPretrainConfig.defaults(), config, overrides);
            ClipPretraining.run(cfg, org.gkc4j.experiments.RunConfig.Data.world(world, "--world"), out);
            return 0;
        }
    }
}
