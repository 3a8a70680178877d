package org.gkc4j.io;

import org.gkc4j.GkcException;
import org.gkc4j.testing.TorchFiles.Pickle;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The unpickler's values opcode by opcode, and its bounds, without a zip around it. */
class RestrictedUnpicklerTest {
    private static Object load(byte[] pickle) {
        return RestrictedUnpickler.load("test.pkl", pickle, new TorchPickleRules(false));
    }

    @Test
    void scalarsAndContainersComeOutAsPlainJavaValues() {
        byte[] p = new Pickle().op(0x80, 4)
                .op(0x95, 0, 0, 0, 0, 0, 0, 0, 0)                               // FRAME (a hint)
                .op(']').op(0x94).mark()                                         // list, MEMOIZE as 0
                .op(0x8a, 1, 0xfd)                                               // LONG1 -3
                .op(0x8a, 0)                                                     // LONG1 0
                .op('G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0)                           // BINFLOAT 1.5
                .op(0x8c, 2, 'h', 'i')                                           // SHORT_BINUNICODE
                .op('C', 2, 7, 8)                                                // SHORT_BINBYTES
                .op('N', 0x88, 0x89)                                             // None, True, False
                .op('K', 1, 'M', 2, 1, 'J', 0xff, 0xff, 0xff, 0xff).op(0x87)     // (1, 258, -1)
                .op('}').str("k").op('h', 0).op('s')                             // {'k': the list itself}
                .op('e').stop();
        Object v = load(p);
        assertTrue(v instanceof List<?>);
        List<?> l = (List<?>) v;
        assertEquals(-3L, l.get(0));
        assertEquals(0L, l.get(1));
        assertEquals(1.5, l.get(2));
        assertEquals("hi", l.get(3));
        assertArrayEquals(new byte[]{7, 8}, (byte[]) l.get(4));
        assertEquals(Arrays.asList(null, true, false), l.subList(5, 8));
        assertEquals(List.of(1L, 258L, -1L), l.get(8));
        assertTrue(RestrictedUnpickler.isTuple(l.get(8)));
        assertTrue(((Map<?, ?>) l.get(9)).get("k") == l, "memo references are shared, not copied");
    }

    @Test
    void orderedDictsKeepTheirOrder() {
        byte[] p = new Pickle().proto().global("collections", "OrderedDict").emptyTuple().reduce()
                .mark().str("b").integer(1).str("a").integer(2).op('u').stop();
        assertEquals(List.of("b", "a"), List.copyOf(((LinkedHashMap<?, ?>) load(p)).keySet()));
    }

    @Test
    void boundsAreOneGkcException() {
        GkcException big = assertThrows(GkcException.class, () -> load(new byte[RestrictedUnpickler.MAX_PICKLE_BYTES + 1]));
        assertTrue(big.getMessage().contains("more than the " + RestrictedUnpickler.MAX_PICKLE_BYTES), big.getMessage());
        GkcException wide = assertThrows(GkcException.class, () -> load(new Pickle().proto().op(0x8a, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1).stop()));
        assertTrue(wide.getMessage().contains("an integer of 9 bytes"), wide.getMessage());
        GkcException proto = assertThrows(GkcException.class, () -> load(new Pickle().op(0x80, 9).op('N').stop()));
        assertTrue(proto.getMessage().contains("pickle protocol 9 is not supported"), proto.getMessage());
        GkcException utf = assertThrows(GkcException.class, () -> load(new Pickle().proto().op(0x8c, 1, 0xff).stop()));
        assertTrue(utf.getMessage().contains("not valid UTF-8"), utf.getMessage());
        GkcException frame = assertThrows(GkcException.class, () -> load(new Pickle().proto().op(0x95, 0, 0, 0, 0, 0, 0, 0, 0x7f).stop()));
        assertTrue(frame.getMessage().contains("runs past the end"), frame.getMessage());
        GkcException append = assertThrows(GkcException.class, () -> load(new Pickle().proto().emptyTuple().op('N', 'a').stop()));
        assertTrue(append.getMessage().contains("APPEND to tuple"), append.getMessage());
        int[] longName = new int[600];
        Arrays.fill(longName, 'x');
        GkcException name = assertThrows(GkcException.class, () -> load(new Pickle().proto().op('c').op(longName).op('\n').stop()));
        assertTrue(name.getMessage().contains("GLOBAL name"), name.getMessage());
    }
}
