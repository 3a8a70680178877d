package org.gkc4j.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the team's shared reference data ({@code ../shared} beside the checkout, or {@code -Dgkc.shared.dir}).
 * Tests that need it skip themselves, saying why, where it is absent (a user's machine).
 */
public final class Shared {
    private Shared() {
    }

    public static Path root() {
        String prop = System.getProperty("gkc.shared.dir");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "..", "shared");
        return p.toAbsolutePath().normalize();
    }

    /** The shared file or folder, or skips the calling test when it is missing. */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        Assumptions.assumeTrue(Files.exists(p), "shared reference data not found at " + p + " (it sits beside the checkout on the team's machines and in CI)");
        return p;
    }
}
