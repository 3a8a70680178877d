package org.gkc4j.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory as Linux reports it in {@code /proc/self/status}; -1 elsewhere. */
public final class ProcessMemory {
    private ProcessMemory() {
    }

    /** Resident memory now, MiB. */
    public static long residentMib() {
        return field("VmRSS:");
    }

    /** The most resident memory so far, MiB. */
    public static long peakResidentMib() {
        return field("VmHWM:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException notLinux) {
            return -1;
        }
        return -1;
    }
}
