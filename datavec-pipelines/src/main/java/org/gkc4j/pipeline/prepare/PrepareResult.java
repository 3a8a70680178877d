package org.gkc4j.pipeline.prepare;

import java.util.List;
import java.util.Locale;

/**
 * What a preparation run did. Classes and pixels are counted over the primary output of the units this run read
 * (not those skipped as done).
 *
 * @param dataset        the preparation's key
 * @param units          inputs planned
 * @param written        files written by this run
 * @param alreadyDone    inputs whose outputs a previous run had written, left as they were
 * @param damaged        inputs skipped as damaged
 * @param damagedNames   the first {@link #NAMES_KEPT} of them
 * @param empty          outputs holding nothing but the ignore value, not written
 * @param checked        inputs only checked (datasets read as released)
 * @param classesPresent classes seen in the primary outputs read
 * @param numClasses     classes of the primary output
 * @param pixelsIgnored  ignore-valued pixels of the primary outputs read
 * @param pixels         all pixels of the primary outputs read
 */
public record PrepareResult(String dataset, long units, long written, long alreadyDone, long damaged, List<String> damagedNames,
                            long empty, long checked, int classesPresent, int numClasses, long pixelsIgnored, long pixels) {
    public static final int NAMES_KEPT = 20;

    public PrepareResult {
        damagedNames = List.copyOf(damagedNames);
    }

    /** The one-line summary the command prints. */
    public String line() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s: %d files written, %d inputs skipped as already done, %d damaged",
                dataset, written, alreadyDone, damaged));
        if (!damagedNames.isEmpty()) {
            sb.append(" (").append(String.join(", ", damagedNames)).append(damaged > damagedNames.size() ? ", ..." : "").append(')');
        }
        if (empty > 0) {
            sb.append(String.format(Locale.ROOT, ", %d maps with no class in use not written", empty));
        }
        if (checked > 0) {
            sb.append(String.format(Locale.ROOT, ", %d checked", checked));
        }
        sb.append(String.format(Locale.ROOT, ", %d of %d classes present, %d pixels ignored (%.1f%%)", classesPresent, numClasses,
                pixelsIgnored, pixels == 0 ? 0.0 : 100.0 * pixelsIgnored / pixels));
        return sb.toString();
    }
}
