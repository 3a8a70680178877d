package org.gkc4j.testing;

import org.gkc4j.io.Npy;
import org.junit.jupiter.api.Assumptions;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * The float64 outputs of the authors' modules kept in the test resources ({@code reference/authors-network}, made by
 * {@code src/test/python/authors_network_reference.py} from the shared tiny fixtures). A missing file skips the
 * calling test, saying why, or fails it in CI ({@code CI=true}), as {@link Shared} does.
 */
public final class AuthorsReference {
    private static final String DIR = "/reference/authors-network/";

    private AuthorsReference() {
    }

    /** The reference array {@code name} (e.g. {@code network_pred_masks}), float64. */
    public static INDArray read(String name) {
        String file = DIR + name + ".npy";
        URL url = AuthorsReference.class.getResource(file);
        if (url == null) {
            String why = "float64 reference " + file + " not found (run src/test/python/authors_network_reference.py)";
            if (Shared.inCi(System.getenv("CI"))) {
                throw new AssertionError(why + "; CI=true, so this fails instead of skipping");
            }
            Assumptions.abort(why);
        }
        try {
            return Npy.read(Path.of(url.toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
