package plugin.syscalls.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import plugin.syscalls.linux.decode.Capture;
import plugin.syscalls.linux.decode.Prototypes;
import plugin.syscalls.linux.table.Arch;

/**
 * {@link CallShape}'s traits decide what the tracker skips on the vCPU thread, so each must be
 * true of every call the tracker would otherwise have treated apart: checked here against the
 * capture itself (run on memory that reads everywhere) and against the names.
 */
class CallShapeTest {
    /** Every argument pattern a capture kind acts on: pointers into readable memory, small lengths, and the values that switch on conditional copies. */
    static final long P = FakeCpu.BASE + 0x100;
    static final long[][] ARGS = {
            {P, P, 16, P, P, P, P},
            {P, P, P, P, P, P, P},
            {15, P, P, P, P, P, P}, // prctl(PR_SET_NAME)
            {16, P, P, P, P, P, P}, // prctl(PR_GET_NAME)
            {0x1003, P, P, P, P, P, P}, // arch_prctl(ARCH_GET_FS)
            {P, 0x5413, P, P, P, P, P}, // ioctl(TIOCGWINSZ)
            {1, P, 3, P, P, P, P},
    };

    @Test
    void aCallWithoutTheCaptureTraitsIsOneTheCaptureCopiesNothingOf() {
        FakeCpu cpu = new FakeCpu("x86_64");
        byte[] m = cpu.mem();
        Arrays.fill(m, (byte) 'a');
        for (int i = 0x400; i < m.length; i += 0x40) m[i] = 0; // strings end, pointer arrays hold small words
        int checked = 0, skippedAtEntry = 0, skippedAtExit = 0;
        for (Arch arch : Arch.values()) {
            Capture capture = new Capture(arch, 32);
            for (int nr = 0; nr < 1024; nr++) {
                for (long[] a : ARGS) {
                    long[] args = Arrays.copyOf(a, arch.argRegs.size());
                    Call c = new Call(arch, 1, P, 0, 0, nr, args, 0);
                    if (!c.shape.is(CallShape.CAPTURE_AT_ENTRY)) {
                        assertNull(capture.entry(c, cpu.memory()), () -> arch + " " + c.name + ": the entry copies memory but has no CAPTURE_AT_ENTRY");
                        skippedAtEntry++;
                    }
                    if (!c.shape.is(CallShape.CAPTURE_AT_EXIT)) {
                        for (long ret : new long[] {1, 8, 16}) {
                            assertNull(capture.exit(c, cpu.memory(), ret), () -> arch + " " + c.name + ": the return copies memory but has no CAPTURE_AT_EXIT");
                        }
                        skippedAtExit++;
                    }
                    checked++;
                }
            }
        }
        assertTrue(skippedAtEntry > checked / 3 && skippedAtExit > checked / 3,
                "most calls copy nothing at one end: " + skippedAtEntry + " / " + skippedAtExit + " of " + checked);
    }

    @Test
    void traitsFollowTheNames() {
        for (Arch arch : Arch.values()) {
            for (int nr = 0; nr < 1024; nr++) {
                CallShape s = CallShape.of(arch, nr);
                assertSame(s, CallShape.of(arch, nr), "made once per number");
                assertEquals(arch.name(nr), s.name);
                assertSame(Prototypes.of(s.name), s.proto);
                String n = s.name;
                assertEquals(n.equals("exit") || n.equals("exit_group"), s.is(CallShape.EXIT), n);
                assertEquals(n.equals("execve") || n.equals("execveat"), s.is(CallShape.EXEC), n);
                assertEquals(n.equals("fork") || n.equals("vfork") || n.equals("clone") || n.equals("clone3"), s.is(CallShape.FORK), n);
                assertEquals(n.equals("rt_sigreturn") || n.equals("sigreturn"), s.is(CallShape.SIGRETURN), n);
                assertEquals(n.equals("readlink") || n.equals("readlinkat"), s.is(CallShape.READLINK), n);
                assertEquals(s.is(CallShape.FORK) || n.equals("getpid") || n.equals("gettid") || n.equals("set_tid_address"), s.is(CallShape.IDS), n);
                assertEquals(s.is(CallShape.EXEC) || n.equals("clone") || n.equals("clone3"), s.is(CallShape.ENTRY_FACTS), n);
            }
            // numbers past the dense table (ARM's private calls) and unknown ones have shapes too
            for (long far : new long[] {0xf0005, 0x7fff_ffffL, -1L, Long.MIN_VALUE}) {
                CallShape s = CallShape.of(arch, far);
                assertEquals(arch.name(far), s.name);
                assertSame(Prototypes.of(s.name), s.proto);
            }
        }
    }
}
