package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.config.Configs;
import org.gkc4j.pipeline.datasets.VipsegVariant;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** configs/vipseg.yaml is the authors' VIPSeg recipe (method document, section 8.4). */
class VideoRunConfigTest {
    private static final Path FILE = Path.of("../configs/vipseg.yaml");

    private static VideoRunConfig load(String... overrides) {
        return Configs.load(VideoRunConfig.class, VideoRunConfig.defaults(), FILE, List.of(overrides));
    }

    @Test
    void theAuthorsRecipe() {
        VideoRunConfig c = load();
        assertEquals(6000, c.train().iterations());
        assertEquals(16, c.train().batchSize());
        assertEquals(1e-4, c.train().lr(), 0);
        assertEquals(VipsegVariant.BASE_IGNORE, c.data().vipsegVariant());
        assertFalse(c.grounding().enabled());
        // GKC's two contributions on, with the image recipe's settings (configs/coco-panoptic.yaml: the framework's defaults)
        RunConfig coco = Configs.load(RunConfig.class, RunConfig.defaults(), Path.of("../configs/coco-panoptic.yaml"), List.of());
        assertEquals(coco.distillation(), c.distillation());
        assertEquals(coco.diversification().enabled(), c.diversification().enabled());
        assertEquals(coco.diversification().toSampler(), c.diversification().toSampler());
        assertEquals(coco.diversification().weight(), c.diversification().weight(), 0);
        assertEquals(VideoRunConfig.Clip.defaults(), c.clip());   // the image run's CLIP unless told otherwise
        // the learning rate steps down by 10 at iteration 4000 and only there (after the warm-up)
        assertEquals(1.0, c.train().lrFactor(3999), 1e-12);
        assertEquals(0.1, c.train().lrFactor(4000), 1e-12);
        assertEquals(0.1, c.train().lrFactor(5999), 1e-12);
    }

    @Test
    void badSettingsAreOneLineErrors() {
        GkcException variant = assertThrows(GkcException.class, () -> load("data.variant=base_keep"));
        assertTrue(variant.getMessage().contains("base_ignore, base_delete or all"), variant.getMessage());
        assertThrows(GkcException.class, () -> load("data.dataset=vspw"));
        assertThrows(GkcException.class, () -> load("data.overlap=4"));
        assertThrows(RuntimeException.class, () -> load("train.iteration=10"));
        GkcException shares = assertThrows(GkcException.class, () -> load("averaging.imageShares=[0.0, 0.5]", "averaging.validationVideos=4"));
        assertTrue(shares.getMessage().contains("one share"), shares.getMessage());
        assertThrows(GkcException.class, () -> load("averaging.imageShares=[1.5]"));
        assertEquals(List.of(0.25), load("averaging.imageShares=[0.25]").averaging().imageShares());
        assertEquals(List.of(0.0), load().averaging().imageShares(), "the authors' recipe delivers the fine-tuned weights");
    }
}
