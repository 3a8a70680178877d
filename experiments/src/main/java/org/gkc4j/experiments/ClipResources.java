package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.clip.ClipTextEncoder;
import org.gkc4j.clip.ClipTokenizer;
import org.gkc4j.clip.ClipWeights;
import org.gkc4j.clip.PromptTemplates;
import org.gkc4j.clip.TextEmbeddingCache;
import org.gkc4j.config.Configs;
import org.gkc4j.pipeline.synthetic.SyntheticWorld;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * The CLIP a run uses: weights and tokenizer (given files, or the built-in tiny CLIP, pretrained once and cached),
 * its frozen text tower behind a disk cache of class-name embeddings.
 */
public final class ClipResources {
    private final ClipWeights weights;
    private final ClipTokenizer tokenizer;
    private final TextEmbeddingCache cache;

    private ClipResources(ClipWeights weights, ClipTokenizer tokenizer, TextEmbeddingCache cache) {
        this.weights = weights;
        this.tokenizer = tokenizer;
        this.cache = cache;
    }

    /** The CLIP of a run; a built-in tiny CLIP is the one pretrained on the run's synthetic world ({@code data.world}). */
    public static ClipResources open(RunConfig run) throws Exception {
        RunConfig.Clip cfg = run.clip();
        Path weightsFile, mergesFile;
        Path cacheDir = Path.of(cfg.cache());
        if (cfg.weights().equals("builtin")) {
            Path dir = builtin(cacheDir, cfg.pretrain(), run.data().syntheticWorld());
            weightsFile = dir.resolve(ClipPretraining.WEIGHTS);
            mergesFile = dir.resolve(ClipPretraining.MERGES);
        } else {
            checkFiles(cfg);
            weightsFile = Path.of(cfg.weights());
            mergesFile = Path.of(cfg.merges());
        }
        ClipWeights w = ClipWeights.load(weightsFile);
        ClipTokenizer tok = ClipTokenizer.load(mergesFile);
        PromptTemplates templates = switch (cfg.prompts()) {
            case "raw" -> PromptTemplates.RAW;
            case "ensemble" -> PromptTemplates.ENSEMBLE;
            default -> throw GkcException.of("clip.prompts must be raw or ensemble, not '%s'", cfg.prompts());
        };
        TextEmbeddingCache cache = new TextEmbeddingCache(new ClipTextEncoder(w, tok, 64), templates, cacheDir.resolve("text-embeddings"));
        return new ClipResources(w, tok, cache);
    }

    /** One-line errors for CLIP settings that cannot work, before any long work starts. */
    public static void checkFiles(RunConfig.Clip cfg) {
        if (cfg.weights().equals("builtin")) {
            return;
        }
        if (cfg.weights().isEmpty()) {
            throw new GkcException("clip.weights must name CLIP weights (OpenAI's RN50.pt, a torch.save state dict or safetensors), or be 'builtin'");
        }
        if (!Files.isRegularFile(Path.of(cfg.weights()))) {
            throw GkcException.of("clip.weights: file not found: %s", cfg.weights());
        }
        if (cfg.merges().isEmpty()) {
            throw new GkcException("clip.merges must name the tokenizer's merges file (OpenAI's bpe_simple_vocab_16e6.txt.gz or a vocab.json)");
        }
        if (!Files.isRegularFile(Path.of(cfg.merges()))) {
            throw GkcException.of("clip.merges: file not found: %s", cfg.merges());
        }
    }

    /** The built-in tiny CLIP for a pretraining recipe and world: reused from the cache when both match. */
    public static Path builtin(Path cacheDir, ClipPretrainConfig recipe, SyntheticWorld world) throws Exception {
        String key = Integer.toHexString((Configs.toYaml(recipe) + "world-" + world.layout().cacheKey()).hashCode());
        Path dir = cacheDir.resolve("clip-tiny-" + key);
        if (Files.exists(dir.resolve(ClipPretraining.WEIGHTS)) && Files.exists(dir.resolve(ClipPretraining.MERGES))) {
            System.err.println("gkc: reusing the cached tiny CLIP in " + dir);
            return dir;
        }
        System.err.println("gkc: pretraining the tiny CLIP of the synthetic world (cached in " + dir + " for later runs)");
        ClipPretraining.run(recipe, world, dir);
        return dir;
    }

    public ClipWeights weights() {
        return weights;
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    /** Text embeddings [n, E] of names through the cache. */
    public Function<List<String>, INDArray> embedder() {
        return names -> cache.embed(names);
    }

    public INDArray embed(List<String> names) {
        return cache.embed(names);
    }
}
