package org.gkc4j.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedTest {
    @TempDir
    Path root;

    /** With CI=true a missing shared file fails the test (an AssertionError), it does not skip. */
    @Test
    void missingSharedDataFailsInCi() {
        AssertionError e = assertThrows(AssertionError.class, () -> Shared.require(root, "fixtures/none.npy", "true"));
        assertTrue(e.getMessage().contains("CI=true") && e.getMessage().contains("none.npy"), e.getMessage());
        assertThrows(AssertionError.class, () -> Shared.require(root, "fixtures/none.npy", "TRUE "));
    }

    /** Without CI=true (a user's machine) a missing shared file skips the test, saying where it looked. */
    @Test
    void missingSharedDataSkipsOnAUsersMachine() {
        for (String ci : new String[]{null, "", "false", "0"}) {
            TestAbortedException e = assertThrows(TestAbortedException.class, () -> Shared.require(root, "fixtures/none.npy", ci));
            assertTrue(e.getMessage().contains("none.npy"), e.getMessage());
        }
    }

    /** A present shared file is returned as is, in CI or not. */
    @Test
    void presentSharedDataIsReturned() throws Exception {
        Path f = Files.createDirectories(root.resolve("data")).resolve("x.tsv");
        Files.writeString(f, "1\n");
        assertEquals(f, Shared.require(root, "data/x.tsv", "true"));
        assertEquals(f, Shared.require(root, "data/x.tsv", null));
    }
}
