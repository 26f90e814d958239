package emulator.x86.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emulator.api.raw.RawRequest;
import emulator.api.raw.RawResult;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.x86.raw.RawX86;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A breakpoint on an i386 PC thunk's instructions, or on the instruction after the call, stops the
 * guest there, as on any instruction: the front end translates such a thunk into its caller's block
 * (PcThunk) only where none of the three is a breakpoint. The host CPU cannot stop at an address
 * here, so the state at each stop is the one the instructions before it leave: after the call, the
 * return address on the stack; after the thunk's mov, that address in ebx too; after its ret, the
 * stack as before the call.
 */
class PcThunkBreakpointTest {
    private static final long TOP = NativeCpu.DATA_BASE + 0x800;

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void aBreakpointInsideAThunkOrAfterItsCallStopsThere(BackendKind backend) {
        byte[] code = Assembler.assemble(32, "call .t\nmov eax, 1\nhlt\n.t: mov ebx, [esp]\nret");
        long after = NativeCpu.CODE_BASE + 5, thunk = after + 6, ret = thunk + 3;
        // the stop, then eip, esp and ebx there
        long[][] stops = {{thunk, TOP - 4, 0}, {ret, TOP - 4, after}, {after, TOP, after}};
        for (long[] s : stops) {
            RawResult r = run(backend, code, s[0]);
            String at = "stopping at 0x" + Long.toHexString(s[0]);
            assertEquals("until", r.stop(), at);
            assertEquals(s[0], (long) r.registers().get("eip"), at + ": eip");
            assertEquals(s[1], (long) r.registers().get("esp"), at + ": esp");
            assertEquals(s[2], (long) r.registers().get("ebx"), at + ": ebx");
            assertEquals(0L, (long) r.registers().get("eax"), at + ": eax (the mov after the call has not run)");
        }
        // and without a breakpoint on them, the thunk runs through to hlt
        RawResult r = run(backend, code, -1);
        assertEquals("hlt", r.stop());
        assertEquals(after, (long) r.registers().get("ebx"));
        assertEquals(1L, (long) r.registers().get("eax"));
        assertEquals(TOP, (long) r.registers().get("esp"));
    }

    private static RawResult run(BackendKind backend, byte[] code, long until) {
        RawRequest req = new RawRequest(List.of(new RawRequest.Region(NativeCpu.CODE_BASE, code.length + 16L, code),
                new RawRequest.Region(NativeCpu.DATA_BASE, 0x1000, new byte[0x1000])),
                Map.of("esp", TOP), NativeCpu.CODE_BASE, until, 0);
        return new RawX86(false, backend).run(req);
    }
}
