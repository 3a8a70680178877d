package org.gkc4j.experiments;

import org.gkc4j.config.Configs;
import org.gkc4j.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class TrainedModelTest {
    @TempDir
    Path dir;

    /** Runs recorded before worlds had names were trained on the four-shape world; their configs must say so. */
    @Test
    void aRecordedConfigWithoutAWorldMeansTheFourShapeWorld() throws Exception {
        RunConfig current = Configs.load(RunConfig.class, RunConfig.defaults(), Path.of("../configs/demo.yaml"), List.of());
        String yaml = Configs.toYaml(current);
        String legacy = yaml.replaceAll("(?m)^\\s+world: three-shapes\\R", "");
        assertNotEquals(yaml, legacy, "the saved config names its world");
        assertEquals("four-shapes", load(legacy).data().world());
        assertEquals("three-shapes", load(yaml).data().world());
        assertEquals(current, load(yaml));
    }

    /** model.decoder.preNorm was retired (always false); a run recorded with it still loads, and the key is otherwise refused. */
    @Test
    void aRecordedConfigWithTheRetiredPreNormKeyLoads() throws Exception {
        RunConfig current = Configs.load(RunConfig.class, RunConfig.defaults(), Path.of("../configs/demo.yaml"), List.of());
        String yaml = Configs.toYaml(current);
        String legacy = yaml.replaceFirst("(?m)^(\\s+)decoder:\\R", "$1decoder:\n$1  preNorm: false\n");
        assertNotEquals(yaml, legacy);
        assertEquals(current, load(legacy));
        org.junit.jupiter.api.Assertions.assertThrows(org.gkc4j.GkcException.class,
                () -> Configs.load(RunConfig.class, RunConfig.defaults(), Path.of("../configs/demo.yaml"), List.of("model.decoder.preNorm=true")));
    }

    private RunConfig load(String yaml) {
        Path file = dir.resolve("m" + yaml.hashCode() + ".safetensors");
        Safetensors.write(file, Map.of("w", Nd4j.zeros(2)), Map.of(TrainedModel.CONFIG_KEY, yaml));
        return TrainedModel.load(file).config();
    }
}
