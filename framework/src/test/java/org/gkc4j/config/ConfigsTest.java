package org.gkc4j.config;

import org.gkc4j.GkcException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigsTest {
    @TempDir
    Path dir;

    enum Mode { THRESHOLD, PROPORTIONAL }

    record Inner(double weight, int topK, Mode mode) {
    }

    record Outer(String name, Inner inner, List<Integer> steps) {
        static Outer defaults() {
            return new Outer("base", new Inner(10.0, 3, Mode.THRESHOLD), List.of(1, 2));
        }
    }

    @Test
    void filesAndOverridesLayerOnTheDefaults() throws IOException {
        Path base = dir.resolve("base.yaml");
        Files.writeString(base, "inner:\n  weight: 2.5\n");
        Path child = dir.resolve("child.yaml");
        Files.writeString(child, "_base_: base.yaml\nname: child\ninner:\n  mode: proportional\n");
        Outer o = Configs.load(Outer.class, Outer.defaults(), child, List.of("inner.topK=7", "steps=[5, 6, 7]"));
        assertEquals(new Outer("child", new Inner(2.5, 7, Mode.PROPORTIONAL), List.of(5, 6, 7)), o);
        Outer again = Configs.load(Outer.class, Outer.defaults(), List.of(), List.of());
        assertEquals(Outer.defaults(), again);
        // the resolved config written beside a run reads back to the same value
        Path resolved = dir.resolve("resolved.yaml");
        Files.writeString(resolved, Configs.toYaml(o));
        assertEquals(o, Configs.load(Outer.class, Outer.defaults(), resolved, List.of()));
    }

    @Test
    void unknownKeysAreNamedWithTheValidOnes() throws IOException {
        GkcException e = assertThrows(GkcException.class, () -> Configs.load(Outer.class, Outer.defaults(), List.of(), List.of("inner.wieght=3")));
        assertTrue(e.getMessage().contains("unknown config key 'inner.wieght'"), e.getMessage());
        assertTrue(e.getMessage().contains("mode, topK, weight"), e.getMessage());
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "nmae: x\n");
        GkcException e2 = assertThrows(GkcException.class, () -> Configs.load(Outer.class, Outer.defaults(), f, List.of()));
        assertTrue(e2.getMessage().contains("'nmae'") && e2.getMessage().contains(f.toString()), e2.getMessage());
    }

    @Test
    void wrongTypesAreNamed() {
        GkcException e = assertThrows(GkcException.class, () -> Configs.load(Outer.class, Outer.defaults(), List.of(), List.of("inner.topK=many")));
        assertTrue(e.getMessage().contains("inner.topK") && e.getMessage().contains("integer"), e.getMessage());
        GkcException e2 = assertThrows(GkcException.class, () -> Configs.load(Outer.class, Outer.defaults(), List.of(), List.of("inner.mode=sometimes")));
        assertTrue(e2.getMessage().contains("threshold, proportional"), e2.getMessage());
        GkcException e3 = assertThrows(GkcException.class, () -> Configs.load(Outer.class, Outer.defaults(), List.of(), List.of("inner=3")));
        assertTrue(e3.getMessage().contains("is a section"), e3.getMessage());
    }

    @Test
    void missingFileIsClear() {
        GkcException e = assertThrows(GkcException.class, () -> Configs.load(Outer.class, Outer.defaults(), dir.resolve("none.yaml"), List.of()));
        assertTrue(e.getMessage().startsWith("config file not found"), e.getMessage());
    }
}
