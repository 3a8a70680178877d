package org.gkc4j.io;

import org.gkc4j.GkcException;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pickle reader for data, not code: it implements the binary opcodes (protocols 2 to 5) that PyTorch's
 * {@code torch.save} and TorchScript archives use to describe tensors and state dicts, and hands every opcode that
 * would import, call or construct something to a {@link PickleRules}, which allows a short list of globals and
 * builds plain Java values for them. Nothing named by the file is ever executed, loaded or reflected upon.
 *
 * <p>Values: Python ints are {@link Long}, floats {@link Double}, str {@link String}, bytes {@code byte[]}, None
 * {@code null}, bools {@link Boolean}, lists {@link ArrayList}, tuples unmodifiable {@link List}s, dicts
 * {@link LinkedHashMap} (keys only scalars or tuples of scalars). Every read is bounded: the pickle's size, the number
 * of values it creates, the depth of MARKs, memo indices, stack underflow, lengths that point past the end; each
 * violation is one {@link GkcException} naming the source and byte position.
 */
public final class RestrictedUnpickler {
    /** Far above any state dict's pickle (OpenAI's RN50 archive: 0.1 MB; a detectron2 checkpoint: a few MB). */
    public static final int MAX_PICKLE_BYTES = 64 << 20;
    /** Values created or stored (stack pushes, container elements, memo entries) in one pickle. */
    public static final long MAX_VALUES = 10_000_000;
    /** Open MARKs at once: how deep tuple, list and dict literals may nest. */
    public static final int MAX_MARK_DEPTH = 1_000;
    private static final int MAX_GLOBAL_NAME = 512;

    private final String source;
    private final byte[] data;
    private final PickleRules rules;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int pos;
    private int opStart;
    private long values;

    private RestrictedUnpickler(String source, byte[] data, PickleRules rules) {
        this.source = source;
        this.data = data;
        this.rules = rules;
    }

    /**
     * Reads one pickle.
     *
     * @param source what to name in errors (file and entry)
     */
    public static Object load(String source, byte[] data, PickleRules rules) {
        if (data.length > MAX_PICKLE_BYTES) {
            throw GkcException.of("%s: the pickle is %d bytes, more than the %d a weights file needs", source, data.length, MAX_PICKLE_BYTES);
        }
        return new RestrictedUnpickler(source, data, rules).run();
    }

    /**
     * Reads one pickle of a kind larger than a weights file's (a dataset index), whose caller has already bounded
     * {@code data} by its own limit; every other bound holds as in {@link #load(String, byte[], PickleRules)}.
     */
    public static Object loadLarge(String source, byte[] data, PickleRules rules) {
        return new RestrictedUnpickler(source, data, rules).run();
    }

    private Object run() {
        try {
            while (pos < data.length) {
                opStart = pos;
                int op = data[pos++] & 0xff;
                if (op == '.') {
                    return pop();
                }
                step(op);
            }
            throw fail("the pickle is truncated: it ends without STOP");
        } catch (PickleRules.PickleException e) {
            throw fail(e.getMessage());
        } catch (GkcException e) {
            throw e;
        } catch (RuntimeException e) {
            throw fail("the pickle cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private void step(int op) {
        switch (op) {
            case 0x80 -> {                                   // PROTO
                int proto = u1();
                if (proto < 2 || proto > 5) {
                    throw fail("pickle protocol " + proto + " is not supported (2 to 5 are)");
                }
            }
            case 0x95 -> {                                   // FRAME: a length hint only
                long len = i8();
                if (len < 0 || len > data.length - pos) {
                    throw fail("a frame of " + len + " bytes runs past the end of the pickle");
                }
            }
            case 'c' -> push(rules.global(line(), line()));  // GLOBAL
            case 0x93 -> {                                   // STACK_GLOBAL
                Object name = pop(), module = pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw fail("STACK_GLOBAL needs two strings");
                }
                push(rules.global(m, n));
            }
            case 'Q' -> push(rules.persistentLoad(pop()));   // BINPERSID
            case 'q' -> memoPut(u1(), peek());               // BINPUT
            case 'r' -> memoPut(u4(), peek());               // LONG_BINPUT
            case 0x94 -> memoPut(memo.size(), peek());       // MEMOIZE
            case 'h' -> push(memoGet(u1()));                 // BINGET
            case 'j' -> push(memoGet(u4()));                 // LONG_BINGET
            case '(' -> {                                    // MARK
                if (marks.size() >= MAX_MARK_DEPTH) {
                    throw fail("more than " + MAX_MARK_DEPTH + " nested MARKs (a nesting bomb, not a state dict)");
                }
                marks.add(stack.size());
            }
            case '1' -> popMark();                           // POP_MARK
            case '0' -> pop();                               // POP
            case '2' -> push(peek());                        // DUP
            case '}' -> push(new LinkedHashMap<>());         // EMPTY_DICT
            case ']' -> push(new ArrayList<>());             // EMPTY_LIST
            case ')' -> push(tuple(List.of()));              // EMPTY_TUPLE
            case 0x85 -> push(tuple(Arrays.asList(pop())));  // TUPLE1
            case 0x86 -> {                                   // TUPLE2
                Object b = pop(), a = pop();
                push(tuple(Arrays.asList(a, b)));
            }
            case 0x87 -> {                                   // TUPLE3
                Object c = pop(), b = pop(), a = pop();
                push(tuple(Arrays.asList(a, b, c)));
            }
            case 't' -> push(tuple(popMark()));              // TUPLE
            case 's' -> {                                    // SETITEM
                Object v = pop(), k = pop();
                put(peek(), k, v);
            }
            case 'u' -> {                                    // SETITEMS
                List<Object> kv = popMark();
                if (kv.size() % 2 != 0) {
                    throw fail("SETITEMS with an odd number of items");
                }
                Object target = peek();
                for (int i = 0; i < kv.size(); i += 2) {
                    put(target, kv.get(i), kv.get(i + 1));
                }
            }
            case 'a' -> {                                    // APPEND
                Object v = pop();
                list(peek()).add(v);
                count(1);
            }
            case 'e' -> {                                    // APPENDS
                List<Object> items = popMark();
                list(peek()).addAll(items);
                count(items.size());
            }
            case 'J' -> push((long) i4());                   // BININT
            case 'K' -> push((long) u1());                   // BININT1
            case 'M' -> push((long) u2());                   // BININT2
            case 0x8a -> push(long1());                      // LONG1
            case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(i8()))); // BINFLOAT, big-endian
            case 'X' -> push(utf8(length(u4())));            // BINUNICODE
            case 0x8c -> push(utf8(u1()));                   // SHORT_BINUNICODE
            case 0x8d -> push(utf8(length(i8())));           // BINUNICODE8
            case 'B' -> push(bytes(length(u4())));           // BINBYTES
            case 'C' -> push(bytes(u1()));                   // SHORT_BINBYTES
            case 0x8e -> push(bytes(length(i8())));          // BINBYTES8
            case 'T' -> push(latin1(length(i4())));          // BINSTRING
            case 'U' -> push(latin1(u1()));                  // SHORT_BINSTRING
            case 'N' -> push(null);                          // NONE
            case 0x88 -> push(Boolean.TRUE);                 // NEWTRUE
            case 0x89 -> push(Boolean.FALSE);                // NEWFALSE
            case 'R' -> {                                    // REDUCE
                Object args = pop(), callable = pop();
                push(rules.reduce(callable, tupleArgs(args, "REDUCE")));
            }
            case 0x81 -> {                                   // NEWOBJ
                Object args = pop(), cls = pop();
                push(rules.newObject(cls, tupleArgs(args, "NEWOBJ")));
            }
            case 'b' -> {                                    // BUILD
                Object state = pop(), target = pop();
                push(rules.build(target, state));
            }
            default -> throw fail(String.format("pickle opcode 0x%02x is not supported (a weights file does not need it)", op));
        }
    }

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(new ArrayList<>(items));
    }

    /** Whether a value is a tuple as this reader represents them. */
    public static boolean isTuple(Object o) {
        return o instanceof List<?> && !(o instanceof ArrayList<?>);
    }

    @SuppressWarnings("unchecked")
    private List<Object> tupleArgs(Object args, String op) {
        if (!isTuple(args)) {
            throw fail(op + " needs a tuple of arguments, not " + typeName(args));
        }
        return (List<Object>) args;
    }

    @SuppressWarnings("unchecked")
    private ArrayList<Object> list(Object target) {
        if (!(target instanceof ArrayList<?>)) {
            throw fail("APPEND to " + typeName(target) + ", not a list");
        }
        return (ArrayList<Object>) target;
    }

    @SuppressWarnings("unchecked")
    private void put(Object target, Object key, Object value) {
        if (!(target instanceof LinkedHashMap<?, ?>)) {
            throw fail("SETITEM on " + typeName(target) + ", not a dict");
        }
        if (!isScalar(key) && !(isTuple(key) && ((List<Object>) key).stream().allMatch(RestrictedUnpickler::isScalar))) {
            throw fail("a dict key of type " + typeName(key) + " (only strings, numbers and tuples of them are supported)");
        }
        ((LinkedHashMap<Object, Object>) target).put(key, value);
        count(1);
    }

    private static boolean isScalar(Object o) {
        return o == null || o instanceof String || o instanceof Long || o instanceof Double || o instanceof Boolean;
    }

    /** A short type name for messages; never prints the value (which may be huge or cyclic). */
    public static String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (isTuple(o)) {
            return "tuple";
        }
        if (o instanceof ArrayList<?>) {
            return "list";
        }
        if (o instanceof Map<?, ?>) {
            return "dict";
        }
        if (o instanceof String) {
            return "str";
        }
        if (o instanceof Long) {
            return "int";
        }
        if (o instanceof Double) {
            return "float";
        }
        if (o instanceof Boolean) {
            return "bool";
        }
        if (o instanceof byte[]) {
            return "bytes";
        }
        return o.getClass().getSimpleName();
    }

    private void push(Object o) {
        count(1);
        stack.add(o);
    }

    private Object pop() {
        int base = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= base) {
            throw fail("stack underflow (the pickle pops a value it never pushed)");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        int base = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= base) {
            throw fail("stack underflow (the pickle uses a value it never pushed)");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw fail("stack underflow (no MARK to pop to)");
        }
        int base = marks.remove(marks.size() - 1);
        List<Object> top = new ArrayList<>(stack.subList(base, stack.size()));
        stack.subList(base, stack.size()).clear();
        return top;
    }

    private void memoPut(long index, Object value) {
        if (!memo.containsKey(index)) {
            count(1);
        }
        memo.put(index, value);
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw fail("memo index " + index + " was never stored (" + memo.size() + " entries)");
        }
        return memo.get(index);
    }

    private void count(long n) {
        values += n;
        if (values > MAX_VALUES) {
            throw fail("more than " + MAX_VALUES + " values (a nesting or expansion bomb, not a state dict)");
        }
    }

    private void need(long n) {
        if (n > data.length - pos) {
            throw fail("the pickle is truncated: " + n + " bytes needed at byte " + pos + ", " + (data.length - pos) + " left");
        }
    }

    private int u1() {
        need(1);
        return data[pos++] & 0xff;
    }

    private int u2() {
        need(2);
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    private int i4() {
        need(4);
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8 | (data[pos + 2] & 0xff) << 16 | (data[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    private long u4() {
        return i4() & 0xffffffffL;
    }

    private long i8() {
        need(8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (data[pos + i] & 0xff);
        }
        pos += 8;
        return v;
    }

    /** LONG1: a little-endian two's-complement integer of up to 8 bytes (larger ones are no tensor size). */
    private long long1() {
        int n = u1();
        if (n > 8) {
            throw fail("an integer of " + n + " bytes (more than 64 bits)");
        }
        need(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = v << 8 | (data[pos + i] & 0xff);
        }
        if (n > 0 && n < 8 && (data[pos + n - 1] & 0x80) != 0) {
            v -= 1L << (8 * n);
        }
        pos += n;
        return v;
    }

    private int length(long n) {
        if (n < 0 || n > data.length - pos) {
            throw fail("the pickle is truncated: a string or bytes of " + n + " bytes at byte " + pos + ", " + (data.length - pos) + " left");
        }
        return (int) n;
    }

    private byte[] bytes(int n) {
        need(n);
        byte[] b = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return b;
    }

    private String utf8(int n) {
        byte[] b = bytes(n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw fail("a string that is not valid UTF-8");
        }
    }

    private String latin1(int n) {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    /** One newline-terminated ASCII line of GLOBAL's operand. */
    private String line() {
        int start = pos;
        while (pos < data.length && data[pos] != '\n') {
            if (pos - start >= MAX_GLOBAL_NAME) {
                throw fail("a GLOBAL name longer than " + MAX_GLOBAL_NAME + " bytes");
            }
            pos++;
        }
        if (pos >= data.length) {
            throw fail("the pickle is truncated inside a GLOBAL name");
        }
        String s = new String(data, start, pos - start, StandardCharsets.US_ASCII);
        pos++;
        return s;
    }

    private GkcException fail(String what) {
        return new GkcException(source + ": " + what + " (pickle byte " + opStart + ")");
    }
}
