package org.gkc4j.pipeline.datasets;

import org.gkc4j.GkcException;

import java.util.Arrays;
import java.util.Locale;

/** Which of VIPSeg's categories a class list holds under GKC's split: all 124, the 112 seen (base) or the 12 unseen (novel). */
public enum VipsegSplit {
    ALL {
        @Override
        public boolean includes(VipsegCategories.Category c) {
            return true;
        }
    },
    BASE {
        @Override
        public boolean includes(VipsegCategories.Category c) {
            return !c.unseen();
        }
    },
    NOVEL {
        @Override
        public boolean includes(VipsegCategories.Category c) {
            return c.unseen();
        }
    };

    public abstract boolean includes(VipsegCategories.Category c);

    /** {@code all}, {@code base} or {@code novel}, as the command line spells them. */
    public static VipsegSplit parse(String name) {
        for (VipsegSplit s : values()) {
            if (s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw GkcException.of("unknown VIPSeg split '%s'; expected one of %s", name,
                Arrays.stream(values()).map(s -> s.name().toLowerCase(Locale.ROOT)).toList());
    }
}
