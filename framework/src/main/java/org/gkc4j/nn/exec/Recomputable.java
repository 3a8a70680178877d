package org.gkc4j.nn.exec;

/**
 * An op whose output the {@link LeanExecutor} computes again for its later readers instead of holding it from the
 * first: worth it where the output is much larger than the inputs it is computed from and is read again only far
 * later (a gather of many sample points from a small map, read by the forward and then by the backward).
 */
public interface Recomputable {

    /** Whether readers after the first get the output computed again just before the earliest of them. */
    boolean recomputedForLaterReaders();
}
