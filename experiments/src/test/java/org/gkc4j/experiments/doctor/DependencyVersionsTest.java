package org.gkc4j.experiments.doctor;

import org.gkc4j.experiments.doctor.ClasspathArtifacts.Artifact;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exactly one ND4J/DataVec/DL4J release on the runtime class path (the test class path holds every runtime jar). */
class DependencyVersionsTest {
    @Test
    void oneNd4jReleaseOnTheClassPath() {
        List<Artifact> found = ClasspathArtifacts.scan();
        assertTrue(found.stream().anyMatch(a -> a.key().equals("org.nd4j:nd4j-api")), "the scan found no nd4j-api: " + found);
        assertTrue(found.stream().anyMatch(a -> a.key().equals("org.deeplearning4j:arbiter-core")), "the scan found no arbiter-core: " + found);
        assertEquals(List.of(), ClasspathArtifacts.conflicts(found));
        assertEquals("1.0.0-M2.1", ClasspathArtifacts.release(found));
        // the artifact Arbiter asked for in its own release
        assertTrue(found.stream().filter(a -> a.key().equals("org.nd4j:jackson")).allMatch(a -> a.version().equals("1.0.0-M2.1")), found.toString());
        assertTrue(found.stream().noneMatch(a -> a.artifact().equals("deeplearning4j-datavec-iterators")), "an unused dependency is back");
    }

    @Test
    void conflictsAreNamed() {
        Artifact api = new Artifact("org.nd4j", "nd4j-api", "1.0.0-M2.1", "nd4j-api.jar");
        Artifact arbiter = new Artifact("org.deeplearning4j", "arbiter-core", "1.0.0-beta7", "arbiter-core.jar");
        assertEquals(List.of(), ClasspathArtifacts.conflicts(List.of(api, arbiter)));
        List<String> mixed = ClasspathArtifacts.conflicts(List.of(api, arbiter, new Artifact("org.nd4j", "jackson", "1.0.0-beta7", "jackson-1.0.0-beta7.jar")));
        assertEquals(1, mixed.size(), mixed.toString());
        assertTrue(mixed.get(0).contains("2 releases") && mixed.get(0).contains("org.nd4j:jackson"), mixed.get(0));
        List<String> twice = ClasspathArtifacts.conflicts(List.of(api, new Artifact("org.nd4j", "nd4j-api", "1.0.0-beta7", "old.jar")));
        assertTrue(twice.get(0).startsWith("org.nd4j:nd4j-api in 2 versions"), twice.toString());
    }
}
