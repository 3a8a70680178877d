package org.gkc4j.nn.fix;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;

/**
 * One cache of released SameDiff arrays per thread, shared by every graph that thread executes.
 * <p>
 * M2.1 gives every execution session (one per graph and thread) its own cache of dead arrays, each allowed a quarter
 * of the native memory limit. A training step runs two graphs (the forward for matching and the gradient graph) and
 * a run holds more (inference, the distillation teacher), so several GB of dead arrays sat in caches the running graph
 * could not reach: the r50 step at 512x512 ran out of memory after an inference pass although its own live arrays
 * fit. One smaller cache per thread lets the gradient graph reuse what the forward pass released.
 * Sessions execute on one thread at a time, so a per-thread cache needs no locking.
 */
public final class SharedArrayCache {
    /** Share of the native memory limit the dead-array cache may hold (M2.1's default is 0.25 per session). */
    static final double CACHE_FRACTION = 0.1;

    private static final ThreadLocal<ArrayCacheMemoryMgr> CACHE =
            ThreadLocal.withInitial(() -> new ArrayCacheMemoryMgr(CACHE_FRACTION, 1024, 2.0));

    private SharedArrayCache() {
    }

    /** Makes every session created from now on use its thread's shared cache. */
    static void install() {
        SameDiff.bindInferenceFactory(SharedArrayCache::session);
    }

    private static InferenceSession session(SameDiff sd) {
        InferenceSession session = new InferenceSession(sd);
        session.setMmgr(CACHE.get());
        return session;
    }
}
