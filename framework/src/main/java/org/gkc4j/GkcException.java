package org.gkc4j;

/**
 * An error a user can cause (a missing file, a damaged weights file, an unknown config key, an empty vocabulary).
 * The command line prints only its message, on one line, and exits non-zero; {@code --verbose} adds the trace.
 */
public class GkcException extends RuntimeException {
    public GkcException(String message) {
        super(message);
    }

    public GkcException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Formats with {@link String#format}; keeps call sites short. */
    public static GkcException of(String format, Object... args) {
        return new GkcException(String.format(format, args));
    }

    public static void check(boolean condition, String format, Object... args) {
        if (!condition) {
            throw of(format, args);
        }
    }
}
