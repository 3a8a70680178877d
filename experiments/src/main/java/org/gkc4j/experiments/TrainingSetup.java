package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.criterion.ClassLoss;
import org.gkc4j.criterion.CriterionConfig;
import org.gkc4j.criterion.DistillationLoss;
import org.gkc4j.criterion.GroundingLoss;
import org.gkc4j.criterion.LossTerm;
import org.gkc4j.criterion.MaskLosses;
import org.gkc4j.criterion.SynonymLoss;
import org.gkc4j.criterion.TextAlignmentLoss;
import org.gkc4j.io.AtomicFiles;
import org.gkc4j.pipeline.ShardedCache;
import org.gkc4j.pipeline.TargetEnricher;
import org.gkc4j.pipeline.teacher.TeacherFeatureStore;
import org.gkc4j.pipeline.teacher.TeacherFeatures;
import org.gkc4j.pipeline.text.CaptionGrounding;
import org.gkc4j.pipeline.text.CaptionNouns;
import org.gkc4j.pipeline.text.SynonymScores;
import org.gkc4j.pipeline.text.TextDiversification;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A run assembled from its config: what the data pipeline attaches to every training sample (synonyms, teacher
 * features, caption nouns) and the loss terms the criterion sums, each contribution one strategy object. The
 * precomputed inputs (synonym scores, teacher features) come from the cache, keyed by what produced them.
 */
public record TrainingSetup(List<TargetEnricher> enrichers, Function<CriterionConfig, List<LossTerm>> terms, INDArray classText,
                            List<String> classes, int teacherDim) {
    /**
     * Bumped whenever a change to the code changes the numbers a cache holds (crop rule, scoring, encoder numerics),
     * so such a change never reuses an old cache.
     */
    static final int CACHE_NUMERICS_VERSION = 1;

    public TrainingSetup {
        enrichers = List.copyOf(enrichers);
        classes = List.copyOf(classes);
    }

    /** The cache key of everything computed from the training images with this CLIP. */
    static String cacheKey(TrainingData data, ClipResources clip) {
        return cacheKey(data, clip.weights().digest());
    }

    static String cacheKey(TrainingData data, String clipDigest) {
        return data.contentKey() + "-" + clipDigest + "-n" + CACHE_NUMERICS_VERSION;
    }

    /**
     * Where the synonym scores of these training images with this CLIP are cached: the key also names the synonym
     * candidates, which come from files (override tables) the training images do not depend on, so an edited table
     * never reuses the scores of the old one.
     */
    static Path synonymScoresDir(Path cache, TrainingData data, String clipDigest) {
        return cache.resolve("synonym-scores-" + cacheKey(data, clipDigest) + "-s" + synonymsDigest(data));
    }

    /** SHA-256 (first 16 hex digits) of every class name with its ordered synonym candidates, in vocabulary order. */
    static String synonymsDigest(TrainingData data) {
        StringBuilder text = new StringBuilder();
        for (String c : data.classes()) {
            List<String> candidates = data.synonyms().getOrDefault(c, List.of());
            text.append(c.length()).append(':').append(c).append(' ').append(candidates.size());
            for (String s : candidates) {
                text.append(' ').append(s.length()).append(':').append(s); // length-prefixed, so no name can end or start another
            }
            text.append('\n');
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TrainingSetup assemble(RunConfig cfg, TrainingData data, ClipResources clip, Path out) {
        List<String> classes = data.classes();
        checkStudentWidth(cfg, clip.weights().config());
        checkStartNetworkTeacher(cfg, false);
        INDArray classText = clip.embed(classes);
        List<TargetEnricher> enrichers = new ArrayList<>();
        if (cfg.diversification().enabled()) {
            enrichers.add(new TextDiversification(classes, data.synonyms(), synonymScores(cfg, data, clip), cfg.diversification().toSampler()));
        }
        int teacherDim = 0;
        if (cfg.distillation().enabled()) {
            TeacherFeatureStore store = teacher(cfg, data, clip, classText, out);
            teacherDim = store.dim();
            enrichers.add(new TeacherFeatures(store));
        }
        if (cfg.grounding().enabled()) {
            enrichers.add(new CaptionGrounding(CaptionNouns.load()));
        }
        return new TrainingSetup(enrichers, terms(cfg, classes, clip.embedder(), teacherDim), classText, classes, teacherDim);
    }

    /**
     * A direct distillation student is the query embedding itself, so its width (the network's text space) must be the
     * teacher's; checked before any cache is computed, which can take a pass over the training images.
     */
    static void checkStudentWidth(RunConfig cfg, org.gkc4j.clip.ClipConfig clip) {
        RunConfig.Distillation d = cfg.distillation();
        if (d.enabled() && d.student() == DistillationLoss.StudentSource.DIRECT) {
            int student = cfg.model().head().embedDim();
            int teacher = d.target() == RunConfig.TeacherTarget.START_NETWORK ? student : RegionFeatures.teacherWidth(clip, d.target());
            GkcException.check(student == teacher, "distillation.student direct: the network's query embeddings have width %d but the teacher's "
                    + "CLIP image features (distillation.target %s) have width %d; use student prior or posterior, which learn a projection",
                    student, d.target().name().toLowerCase(), teacher);
        }
    }

    /**
     * {@code distillation.target: start_network} needs a network training starts from ({@code hasStart}: a video run's
     * image checkpoint; an image run starts from CLIP) and the teacher left where it is (the start network's query
     * embeddings are in the text space already); checked before any cache is computed.
     */
    static void checkStartNetworkTeacher(RunConfig cfg, boolean hasStart) {
        RunConfig.Distillation d = cfg.distillation();
        if (d.enabled() && d.target() == RunConfig.TeacherTarget.START_NETWORK) {
            GkcException.check(hasStart, "distillation.target start_network distils the network training starts from: "
                    + "video runs only (they start from an image checkpoint); an image run starts from CLIP");
            GkcException.check(d.space() == RunConfig.TeacherSpace.IMAGE, "distillation.target start_network: the start network's query "
                    + "embeddings are in the text space already, so set distillation.space image (gap_shifted moves CLIP image features)");
        }
    }

    /** The CLIP plausibility of each synonym of every training segment, from the cache or computed into it. */
    static SynonymScores synonymScores(RunConfig cfg, TrainingData data, ClipResources clip) {
        return RegionFeatures.synonymScores(data.train(), clip.weights(), clip.tokenizer(), data.classes(), data.synonyms(),
                synonymScoresDir(Path.of(cfg.clip().cache()), data, clip.weights().digest()), SynonymScores.SHARD_SIZE);
    }

    /**
     * The distillation teacher's feature of every training segment (from the cache or computed into it), placed and
     * selected as {@code distillation} says; the teacher report, when there is one, is written to {@code out}.
     */
    static TeacherFeatureStore teacher(RunConfig cfg, TrainingData data, ClipResources clip, INDArray classText, Path out) {
        return teacher(cfg, data, clip, classText, null, out);
    }

    /**
     * As above; {@code start} is the weights training starts from (null: none, as for an image run from CLIP), which
     * {@code distillation.target: start_network} distils.
     */
    static TeacherFeatureStore teacher(RunConfig cfg, TrainingData data, ClipResources clip, INDArray classText, Map<String, INDArray> start, Path out) {
        RunConfig.Distillation d = cfg.distillation();
        Path cache = Path.of(cfg.clip().cache());
        String key = cacheKey(data, clip);
        TeacherFeatureStore store;
        String teacherName = d.target().name().toLowerCase();
        if (d.target() == RunConfig.TeacherTarget.START_NETWORK) {
            checkStartNetworkTeacher(cfg, start != null);
            teacherName += "-" + StartNetworkTeacher.fingerprint(start);
            store = StartNetworkTeacher.features(data.train(), cfg.model(), start, classText, cfg.criterion(),
                    cache.resolve("teacher-" + teacherName + "-" + key), ShardedCache.DEFAULT_SHARD_SIZE);
        } else {
            store = RegionFeatures.teacher(data.train(), clip.weights(), d.target(),
                    cache.resolve("teacher-" + teacherName + "-" + key), ShardedCache.DEFAULT_SHARD_SIZE);
        }
        store = TeacherTransform.applyAll(TeacherTransform.placement(d), store, data.train(), classText, new LinkedHashMap<>());
        Map<String, Object> report = teacherReport(data, store, classText,
                cache.resolve("teacher-report-" + teacherName + "-" + d.space().name().toLowerCase() + "-" + key + ".json"));
        store = TeacherTransform.applyAll(TeacherTransform.selection(d), store, data.train(), classText, report == null ? new LinkedHashMap<>() : report);
        if (report != null) {
            AtomicFiles.writeString(out.resolve(TrainingRun.TEACHER_REPORT), Configs.toJson(report));
            System.err.printf("gkc: the teacher names %.1f %% of the training segments right (mean over classes %.1f %%)%n",
                    ((Number) report.get("top1")).doubleValue(), ((Number) report.get("mean_class_top1")).doubleValue());
        }
        return store;
    }

    /**
     * The teacher report, cached beside the features it measures: computing it reads every training image again,
     * which on a large dataset would cost a pass over the data at every start.
     */
    private static Map<String, Object> teacherReport(TrainingData data, TeacherFeatureStore store, INDArray classText, Path file) {
        try {
            if (Files.isRegularFile(file)) {
                return Configs.JSON.readValue(file.toFile(), new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {
                });
            }
            Map<String, Object> report = RegionFeatures.teacherReport(data.train(), store, classText, data.classes());
            if (report != null) {
                AtomicFiles.writeString(file, Configs.toJson(report));
            }
            return report;
        } catch (java.io.IOException e) {
            throw GkcException.of("cannot read the cached teacher report %s: %s (delete it to compute it again)", file, e.getMessage());
        }
    }

    /** The criterion's terms: the mask and class losses, then one term per contribution the config turns on. */
    public static Function<CriterionConfig, List<LossTerm>> terms(RunConfig cfg, List<String> classes, Function<List<String>, INDArray> embedder, int teacherDim) {
        int maxVocabulary = classes.size() + cfg.criterion().maxTargetsPerImage();
        return c -> {
            List<LossTerm> t = new ArrayList<>(List.of(new MaskLosses.Bce(c), new MaskLosses.Dice(c), new ClassLoss(c)));
            if (cfg.diversification().enabled()) {
                t.add(new SynonymLoss(c, cfg.diversification().weight(), maxVocabulary, cfg.diversification().padAsNegatives(), embedder));
            }
            RunConfig.Distillation d = cfg.distillation();
            if (d.enabled()) {
                t.add(new DistillationLoss(d.weight(), d.variant(), d.student(), teacherDim, d.maxInstances(), classes, embedder));
            }
            if (cfg.grounding().enabled()) {
                t.add(new GroundingLoss(cfg.grounding().weight(), cfg.grounding().maxWords(), cfg.grounding().maxRegions(), embedder));
            }
            if (cfg.alignment().enabled()) {
                t.add(new TextAlignmentLoss(cfg.alignment().weight(), classes, embedder));
            }
            return t;
        };
    }
}
