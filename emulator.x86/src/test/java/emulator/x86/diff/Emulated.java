package emulator.x86.diff;

import emulator.api.raw.RawRequest;
import emulator.api.raw.RawResult;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.x86.raw.RawX86;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a {@link TestCase} in the emulator's raw mode and returns the state in the oracle's form. */
final class Emulated {
    private Emulated() {}

    static MachineState run(TestCase c, BackendKind backend) {
        MachineState in = c.initial();
        boolean x64 = c.bits() == 64;
        Map<String, Long> regs = new LinkedHashMap<>();
        for (int i = 0; i < in.gprCount(); i++) regs.put(in.gprName(i), in.gpr[i]);
        regs.put(in.flagsName(), in.rflags);
        regs.put("mxcsr", (long) in.mxcsr);
        for (int i = 0; i < (x64 ? 16 : 8); i++) {
            regs.put("xmm" + i + ".lo", in.xmm[i][0]);
            regs.put("xmm" + i + ".hi", in.xmm[i][1]);
        }
        if (x64) regs.put("gs_base", in.gsBase);
        MachineState.Region data = in.data();
        RawRequest req = new RawRequest(List.of(
                new RawRequest.Region(NativeCpu.CODE_BASE, c.code().length + 16L, c.code()),
                new RawRequest.Region(data.addr(), data.bytes().length, data.bytes().clone())),
                regs, NativeCpu.CODE_BASE, c.endRip(), 0);
        RawResult r = new RawX86(x64, backend).run(req);
        MachineState out = MachineState.fromJson(r.json());
        // The raw JSON lists changed bytes; rebuild the whole data region as the oracle reports it.
        byte[] mem = data.bytes().clone();
        for (RawRequest.Region ch : r.changed()) {
            long off = ch.addr() - data.addr();
            if (off >= 0 && off + ch.bytes().length <= mem.length) System.arraycopy(ch.bytes(), 0, mem, (int) off, ch.bytes().length);
        }
        out.setData(data.addr(), mem);
        return out;
    }
}
