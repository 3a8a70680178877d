package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.experiments.ClipPretrainConfig;
import org.gkc4j.config.Configs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunConfigTest {
    private static final Path DEMO = Path.of("../configs/demo.yaml");
    @TempDir
    Path dir;

    @Test
    void clipPathsResolveFromAnotherFolderAndOnlyRelativeOnes() {
        RunConfig base = RunConfig.defaults();
        RunConfig.Clip c = base.clip();
        RunConfig relative = Configs.load(RunConfig.class, base, DEMO, List.of("clip.weights=w/clip.pt", "clip.merges=/abs/merges.txt.gz", "clip.cache=runs/cache"));
        RunConfig moved = relative.withClipPathsFrom(Path.of("/home/p"));
        assertEquals("/home/p/w/clip.pt", moved.clip().weights());
        assertEquals("/abs/merges.txt.gz", moved.clip().merges());
        assertEquals("/home/p/runs/cache", moved.clip().cache());
        assertEquals(relative.withClipPathsFrom(Path.of("/x")).model(), relative.model());
        assertEquals("builtin", base.withClipPathsFrom(Path.of("/home/p")).clip().weights());
        assertEquals(c.merges(), base.withClipPathsFrom(Path.of("/home/p")).clip().merges());   // unset stays unset
    }

    @Test
    void theBuiltInTinyClipRecipeIsPartOfTheRunConfig() throws Exception {
        RunConfig plain = Configs.load(RunConfig.class, RunConfig.defaults(), DEMO, List.of());
        assertEquals(ClipPretrainConfig.defaults(), plain.clip().pretrain());
        RunConfig crops = Configs.load(RunConfig.class, RunConfig.defaults(), DEMO,
                List.of("clip.pretrain.regionCropPairs=true", "clip.pretrain.seed=2"));
        ClipPretrainConfig d = ClipPretrainConfig.defaults();
        ClipPretrainConfig expected = new ClipPretrainConfig(d.steps(), d.batch(), d.imageSize(), d.lr(), d.warmup(), d.weightDecay(),
                d.merges(), d.visionLayers(), d.visionWidth(), d.embedDim(), d.textWidth(), d.textHeads(), d.textLayers(),
                d.zeroShotPerClass(), d.batchNormStatistics(), true, 2);
        assertEquals(expected, crops.clip().pretrain());
        // the resolved config saved beside a run names the recipe, and reads back to the same config
        String yaml = Configs.toYaml(crops);
        assertTrue(yaml.contains("regionCropPairs: true"), yaml);
        Path saved = dir.resolve("config.yaml");
        java.nio.file.Files.writeString(saved, yaml);
        assertEquals(crops, Configs.load(RunConfig.class, RunConfig.defaults(), saved, List.of()));
    }

    @Test
    void anUnknownRecipeKeyIsAnErrorNamingTheValidOnes() {
        GkcException e = assertThrows(GkcException.class,
                () -> Configs.load(RunConfig.class, RunConfig.defaults(), DEMO, List.of("clip.pretrain.regionCrops=true")));
        assertTrue(e.getMessage().contains("regionCropPairs"), e.getMessage());
    }

    @Test
    void theSyntheticWorldIsChosenByNameAndAnUnknownOneIsAnError() throws Exception {
        RunConfig plain = Configs.load(RunConfig.class, RunConfig.defaults(), DEMO, List.of());
        assertEquals("three-shapes", plain.data().world());
        assertEquals(21, SyntheticBenchmark.of(plain.data()).world().classes().size());
        RunConfig four = Configs.load(RunConfig.class, RunConfig.defaults(), DEMO, List.of("data.world=four-shapes"));
        assertEquals(26, SyntheticBenchmark.of(four.data()).world().classes().size());
        RunConfig bad = Configs.load(RunConfig.class, RunConfig.defaults(), DEMO, List.of("data.world=hexagons"));
        GkcException e = assertThrows(GkcException.class, () -> SyntheticBenchmark.of(bad.data()));
        assertTrue(e.getMessage().startsWith("data.world: unknown synthetic world 'hexagons'") && e.getMessage().contains("four-shapes"),
                e.getMessage());
    }

    @Test
    void theTeacherSpaceIsAConfigKeyNamedInTheRunLabel() throws Exception {
        // the paper's teacher space is the framework default; the demo moves it across the modality gap
        assertEquals(RunConfig.TeacherSpace.IMAGE, RunConfig.defaults().distillation().space());
        RunConfig demo = Configs.load(RunConfig.class, RunConfig.defaults(), DEMO, List.of());
        assertEquals(RunConfig.TeacherSpace.GAP_SHIFTED, demo.distillation().space());
        assertEquals("TD+KD-text_guided-gap", demo.variantLabel());
        RunConfig image = Configs.load(RunConfig.class, RunConfig.defaults(), DEMO, List.of("distillation.space=image"));
        assertEquals(RunConfig.TeacherSpace.IMAGE, image.distillation().space());
        assertEquals("TD+KD-text_guided", image.variantLabel());
        assertThrows(GkcException.class, () -> Configs.load(RunConfig.class, RunConfig.defaults(), DEMO, List.of("distillation.space=text")));
    }

    @Test
    void theDemoAddsTheMomentEncoderAndDistilsEverySegmentWhileThePapersDefaultsHaveNeither() throws Exception {
        assertEquals(0, RunConfig.defaults().model().decoder().maskMomentChannels());
        assertEquals(RunConfig.TeacherTrust.ALL, RunConfig.defaults().distillation().trust());
        RunConfig demo = Configs.load(RunConfig.class, RunConfig.defaults(), DEMO, List.of());
        assertEquals(32, demo.model().decoder().maskMomentChannels());
        assertEquals(RunConfig.TeacherTrust.ALL, demo.distillation().trust());
        RunConfig agreeing = Configs.load(RunConfig.class, RunConfig.defaults(), DEMO, List.of("distillation.trust=agreeing"));
        assertEquals(RunConfig.TeacherTrust.AGREEING, agreeing.distillation().trust());
        assertThrows(GkcException.class, () -> Configs.load(RunConfig.class, RunConfig.defaults(), DEMO, List.of("distillation.trust=some")));
    }

    /** The authors' subset limits (gkc-method.md: KD MAX_LIST_LEN 200 per batch; grounding 25 regions and 5 nouns per image). */
    @Test
    void theSubsetLimitsAreTheAuthors() {
        assertEquals(200, RunConfig.defaults().distillation().maxInstances());
        assertEquals(25, RunConfig.defaults().grounding().maxRegions());
        assertEquals(5, RunConfig.defaults().grounding().maxWords());
    }
}
