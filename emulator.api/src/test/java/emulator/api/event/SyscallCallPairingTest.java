package emulator.api.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pairing's contract: a completed call carries both sides, the EXIT's properties winning; threads never mix. */
class SyscallCallPairingTest {
    final SyscallCallPairing pairing = new SyscallCallPairing();

    static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void theExitCarriesBothSidesAndWinsWhereTheyDiffer() {
        Map<String, Object> enter = props(Keys.TID, 7, Keys.PID, 7, Keys.NAME, "openat", Keys.FILE_PATH, "/etc/passwd", Keys.ICOUNT, 10L);
        Map<String, Object> exit = props(Keys.TID, 7, Keys.PID, 7, Keys.NAME, "openat", Keys.RET, 3L, Keys.ICOUNT, 12L);
        SyscallCall in = pairing.accept(Topics.SYSCALL_ENTER, enter);
        assertFalse(in.completed());
        assertEquals("/etc/passwd", in.string(Keys.FILE_PATH));
        SyscallCall c = pairing.accept(Topics.SYSCALL_EXIT, exit);
        assertTrue(c.completed());
        assertEquals("/etc/passwd", c.string(Keys.FILE_PATH), "said at the entry only");
        assertEquals(3L, c.number(Keys.RET), "said at the exit only");
        assertEquals(12L, c.icount(), "the exit's value wins");
        assertNull(c.get(Keys.FILE_HANDLE));
        Map<String, Object> both = new HashMap<>(enter);
        both.putAll(exit);
        assertEquals(both, c.props(), "as a map: exactly the union, the exit winning");
        assertEquals(both.entrySet(), c.props().entrySet());
    }

    @Test
    void anExitWithoutItsEnterStandsAlone() {
        Map<String, Object> exit = props(Keys.TID, 7, Keys.RET, 0L);
        SyscallCall c = pairing.accept(Topics.SYSCALL_EXIT, exit);
        assertTrue(c.completed());
        assertSame(exit, c.props());
        assertNull(pairing.accept("abiscope/file/OPEN", exit), "other topics are not calls");
    }

    @Test
    void threadsArePairedByTidWhateverTheBoxedTypeAndNeverMixed() {
        pairing.accept(Topics.SYSCALL_ENTER, props(Keys.TID, 7, Keys.NAME, "read", Keys.FILE_HANDLE, 0L));
        pairing.accept(Topics.SYSCALL_ENTER, props(Keys.TID, 8, Keys.NAME, "write", Keys.FILE_HANDLE, 1L));
        SyscallCall eight = pairing.accept(Topics.SYSCALL_EXIT, props(Keys.TID, 8L, Keys.RET, 5L));
        SyscallCall seven = pairing.accept(Topics.SYSCALL_EXIT, props(Keys.TID, 7L, Keys.RET, 4L));
        assertEquals("write", eight.string(Keys.NAME));
        assertEquals(1L, eight.number(Keys.FILE_HANDLE));
        assertEquals("read", seven.string(Keys.NAME));
        assertEquals(0L, seven.number(Keys.FILE_HANDLE));
        assertNull(pairing.accept(Topics.SYSCALL_EXIT, props(Keys.TID, 7, Keys.RET, 0L)).get(Keys.NAME), "each enter pairs once");
    }

    @Test
    void anEnterMadeBeforeThePidWasKnownPairsByAddressSpaceAndStack() {
        pairing.accept(Topics.SYSCALL_ENTER, props(Keys.ASID, 0x1000L, Keys.SP, 0x7ff0L, Keys.NAME, "getpid"));
        pairing.accept(Topics.SYSCALL_ENTER, props(Keys.ASID, 0x2000L, Keys.SP, 0x7ff0L, Keys.NAME, "brk"));
        SyscallCall c = pairing.accept(Topics.SYSCALL_EXIT, props(Keys.ASID, 0x1000L, Keys.SP, 0x7ff0L, Keys.PID, 42, Keys.TID, 42, Keys.RET, 42L));
        assertEquals("getpid", c.string(Keys.NAME));
        assertEquals(42, c.integer(Keys.PID));
        SyscallCall other = pairing.accept(Topics.SYSCALL_EXIT, props(Keys.ASID, 0x2000L, Keys.SP, 0x7ff0L, Keys.RET, 0L));
        assertEquals("brk", other.string(Keys.NAME));
    }
}
