package org.gkc4j.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the team's shared reference data ({@code ../shared} beside the checkout, or {@code -Dgkc.shared.dir}).
 * Tests that need it skip themselves, saying why, where it is absent (a user's machine); in CI (environment variable
 * {@code CI=true}) a missing file fails the test instead, so no parity check can vanish from a green build.
 */
public final class Shared {
    private Shared() {
    }

    public static Path root() {
        String prop = System.getProperty("gkc.shared.dir");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "..", "shared");
        return p.toAbsolutePath().normalize();
    }

    /** The shared file or folder; when it is missing, skips the calling test, or fails it in CI. */
    public static Path require(String relative) {
        return require(root(), relative, System.getenv("CI"));
    }

    /** {@link #require(String)} with the shared root and the value of {@code CI} given. */
    static Path require(Path root, String relative, String ci) {
        Path p = root.resolve(relative);
        if (!Files.exists(p)) {
            String why = "shared reference data not found at " + p + " (it sits beside the checkout on the team's machines and in CI)";
            if (inCi(ci)) {
                throw new AssertionError(why + "; CI=true, so this fails instead of skipping");
            }
            Assumptions.abort(why);
        }
        return p;
    }

    /** Whether the value of the environment variable {@code CI} says the build runs in CI. */
    public static boolean inCi(String ci) {
        return "true".equalsIgnoreCase(ci == null ? null : ci.trim());
    }
}
