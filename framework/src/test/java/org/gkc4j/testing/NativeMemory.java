package org.gkc4j.testing;

import com.sun.jna.NativeLibrary;
import org.bytedeco.javacpp.Pointer;

/** Resident memory after garbage collection and after the C allocator has handed free pages back, for leak checks. */
public final class NativeMemory {
    private NativeMemory() {
    }

    public static long settledRss() {
        System.gc();
        try {
            Thread.sleep(200);   // ND4J frees collected buffers on its own thread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        NativeLibrary.getInstance("c").getFunction("malloc_trim").invokeInt(new Object[]{0});
        return Pointer.physicalBytes();
    }
}
