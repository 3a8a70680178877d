package org.gkc4j.io;

import java.util.List;

/**
 * What the globals of a pickle mean, decided by whoever reads a particular kind of file. {@link RestrictedUnpickler}
 * only moves values between its stack and memo; every opcode that would create or call something in Python ends
 * here, where an implementation either builds a plain Java value or refuses. Implementations never execute, load or
 * reflect anything named by the file.
 *
 * <p>Every method throws {@link PickleException} to refuse; the unpickler adds the file and byte position.
 */
public interface PickleRules {
    /** A reference to {@code module.name} for GLOBAL / STACK_GLOBAL: an inert token, or refusal if not allowed. */
    Object global(String module, String name);

    /** REDUCE: {@code callable(*args)} where the callable came from {@link #global}. */
    Object reduce(Object callable, List<Object> args);

    /** NEWOBJ: {@code cls.__new__(cls, *args)}. */
    Object newObject(Object cls, List<Object> args);

    /** BUILD: applies {@code state} to {@code target}; returns what stays on the stack (usually the target). */
    Object build(Object target, Object state);

    /** BINPERSID: the object a persistent id stands for. */
    Object persistentLoad(Object pid);

    /** A refusal, with a message that reads on its own (the unpickler prefixes where it happened). */
    final class PickleException extends RuntimeException {
        public PickleException(String message) {
            super(message);
        }
    }
}
