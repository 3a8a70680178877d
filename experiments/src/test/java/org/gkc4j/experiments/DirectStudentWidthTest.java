package org.gkc4j.experiments;

import org.gkc4j.GkcException;
import org.gkc4j.clip.ClipConfig;
import org.gkc4j.config.Configs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A direct distillation student is the query embedding itself, so a network whose text space is not as wide as the
 * teacher's CLIP image features is refused before any cache is computed: one line naming both widths. OpenAI's RN50
 * sizes: joint embedding 1024, layer4 2048 channels.
 */
class DirectStudentWidthTest {
    private static final ClipConfig RN50 = ClipConfig.rn50();

    private static RunConfig run(boolean enabled, String student, String target, int embedDim) {
        return Configs.load(RunConfig.class, RunConfig.defaults(), Path.of("../configs/demo.yaml"), List.of("distillation.enabled=" + enabled,
                "distillation.student=" + student, "distillation.target=" + target, "model.head.embedDim=" + embedDim));
    }

    private static String refused(RunConfig cfg) {
        GkcException e = assertThrows(GkcException.class, () -> TrainingSetup.checkStudentWidth(cfg, RN50));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void directStudentNarrowerThanTheTeacherIsOneLine() {
        assertEquals(1024, RN50.embedDim());
        assertEquals(2048, RN50.visionEmbed());
        String global = refused(run(true, "direct", "global", 512));
        assertTrue(global.contains("width 512") && global.contains("width 1024") && global.contains("distillation.student direct"), global);
        String dense = refused(run(true, "direct", "dense_pooled", 512));
        assertTrue(dense.contains("width 512") && dense.contains("width 1024"), dense);
        // layer4's channels, not the joint embedding: a 1024-wide network fits the global teacher but not this one
        String res5 = refused(run(true, "direct", "res5_pooled", 1024));
        assertTrue(res5.contains("width 1024") && res5.contains("width 2048") && res5.contains("res5_pooled"), res5);
    }

    @Test
    void matchingWidthsProjectingStudentsAndNoDistillationPass() {
        assertDoesNotThrow(() -> TrainingSetup.checkStudentWidth(run(true, "direct", "global", 1024), RN50));
        assertDoesNotThrow(() -> TrainingSetup.checkStudentWidth(run(true, "direct", "res5_pooled", 2048), RN50));
        assertDoesNotThrow(() -> TrainingSetup.checkStudentWidth(run(true, "prior", "global", 512), RN50));
        assertDoesNotThrow(() -> TrainingSetup.checkStudentWidth(run(true, "posterior", "res5_pooled", 512), RN50));
        assertDoesNotThrow(() -> TrainingSetup.checkStudentWidth(run(false, "direct", "global", 512), RN50));
    }
}
