package emulator.x86.raw;

import emulator.api.raw.RawEmulator;
import emulator.api.raw.RawRequest;
import emulator.api.raw.RawResult;
import emulator.core.exec.GuestException;
import emulator.core.exec.GuestKernel;
import emulator.core.exec.Machine;
import emulator.core.exec.MachineConfig;
import emulator.core.exec.Vcpu;
import emulator.core.mem.AddressSpace;
import emulator.core.mem.Prot;
import emulator.x86.Flags;
import emulator.x86.Slots;
import emulator.x86.X86State;
import emulator.x86.X86Target;
import emulator.x86.X87;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Raw mode for x86: one vCPU, the given memory, run until hlt, an address, a limit or a fault. */
public final class RawX86 implements RawEmulator {
    private final boolean x64;
    private final MachineConfig.BackendKind backend;

    public RawX86(boolean x64) { this(x64, MachineConfig.defaultBackend()); }

    public RawX86(boolean x64, MachineConfig.BackendKind backend) {
        this.x64 = x64;
        this.backend = backend;
    }

    @Override public String arch() { return x64 ? "x86_64" : "i386"; }

    /**
     * Why the run stopped, filled in by the kernel below. A fault is reported as the signal, si_code
     * and si_addr Linux gives a user process for it (arch/x86/kernel/traps.c), so raw results compare
     * directly with a native run of the same bytes.
     */
    private static final class Stop implements GuestKernel {
        static final int SIGILL = 4, SIGTRAP = 5, SIGFPE = 8, SIGSEGV = 11, SIGSYS = 31;
        static final int ILL_ILLOPN = 2, TRAP_BRKPT = 1, FPE_INTDIV = 1, SEGV_MAPERR = 1, SEGV_ACCERR = 2, SYS_SECCOMP = 1,
                SI_KERNEL = 0x80;

        String reason = "until";
        int signal, code;
        long addr;
        AddressSpace memory;

        /** No kernel here: like the native runner's seccomp filter, SIGSYS (SYS_SECCOMP) after the instruction. */
        public void syscall(Vcpu cpu) { reason = "fault"; signal = SIGSYS; code = SYS_SECCOMP; addr = cpu.pc; cpu.stop(); }

        public void exception(Vcpu cpu, GuestException e) {
            if (e.kind == GuestException.Kind.TRAP && e.vector == 13 && "hlt".equals(e.getMessage())) {
                reason = "hlt";
                cpu.pc += 1; // report the state after hlt, as a CPU that halted there
            } else {
                reason = "fault";
                switch (e.kind) {
                    case PAGE_FAULT -> {
                        signal = SIGSEGV;
                        code = memory != null && memory.isMapped(e.address) ? SEGV_ACCERR : SEGV_MAPERR;
                        addr = e.address;
                    }
                    case DIVIDE_ERROR -> { signal = SIGFPE; code = FPE_INTDIV; addr = cpu.pc; }
                    case TRAP -> {
                        switch (e.vector) {
                            case 0 -> { signal = SIGFPE; code = FPE_INTDIV; addr = cpu.pc; }
                            // int1 (icebp) is a debug trap: si_addr is the pc after it
                            case 1 -> { signal = SIGTRAP; code = TRAP_BRKPT; addr = cpu.pc; }
                            case 3 -> { signal = SIGTRAP; code = SI_KERNEL; addr = 0; }
                            case 6 -> { signal = SIGILL; code = ILL_ILLOPN; addr = cpu.pc; }
                            // #GP, #OF (into) and the rest: a kernel-generated SIGSEGV without an address
                            default -> { signal = SIGSEGV; code = SI_KERNEL; addr = 0; }
                        }
                    }
                }
            }
            cpu.stop();
        }

        public void stopRequested(Vcpu cpu) {
            if (!"hlt".equals(reason) && !"fault".equals(reason)) reason = cpu.icount >= limit ? "max-insns" : "until";
            cpu.stop();
        }

        long limit = Long.MAX_VALUE;
    }

    @Override
    public RawResult run(RawRequest req) {
        X86Target target = new X86Target(x64);
        Stop stop = new Stop();
        MachineConfig cfg = MachineConfig.defaults("raw").withBackend(backend);
        if (req.maxInsns() > 0) cfg = new MachineConfig(cfg.name(), cfg.backend(), cfg.compileThreshold(), cfg.cacheCapacity(), 1, cfg.memoryLimit());
        Machine m = new Machine(cfg, target, stop);
        AddressSpace as = new AddressSpace(cfg.memoryLimit());
        stop.memory = as;
        List<byte[]> initial = new ArrayList<>();
        for (RawRequest.Region r : req.regions()) {
            long start = AddressSpace.pageOf(r.addr());
            long end = (r.addr() + Math.max(r.size(), r.bytes() == null ? 0 : r.bytes().length) + AddressSpace.PAGE_MASK) & ~AddressSpace.PAGE_MASK;
            if (!as.map(start, end - start, Prot.RWX)) throw new IllegalArgumentException("cannot map 0x" + Long.toHexString(start));
            if (r.bytes() != null) as.poke(r.addr(), r.bytes(), 0, r.bytes().length);
        }
        for (RawRequest.Region r : req.regions()) {
            byte[] b = new byte[(int) Math.max(r.size(), r.bytes() == null ? 0 : r.bytes().length)];
            as.peek(r.addr(), b, 0, b.length);
            initial.add(b);
        }
        Vcpu cpu = m.newVcpu(as);
        target.reset(cpu);
        cpu.pc = req.entry();
        for (Map.Entry<String, Long> e : req.registers().entrySet()) cpu.setReg(e.getKey(), e.getValue());
        if (req.until() >= 0) m.addBreakpoint(req.until());
        if (req.maxInsns() > 0) { m.setInsnLimit(req.maxInsns()); stop.limit = req.maxInsns(); }
        emulator.core.exec.Machines.started(m);
        try {
            cpu.run();
        } finally {
            emulator.core.exec.Machines.stopped(m);
        }

        Map<String, Long> regs = new LinkedHashMap<>();
        String[] names = x64
                ? new String[] {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"}
                : new String[] {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
        for (String n : names) regs.put(n, cpu.reg(n));
        regs.put(x64 ? "rip" : "eip", cpu.pc);
        regs.put(x64 ? "rflags" : "eflags", Flags.rflags(cpu.regs));
        regs.put("fs_base", cpu.regs[Slots.FS_BASE]);
        regs.put("gs_base", cpu.regs[Slots.GS_BASE]);
        List<RawRequest.Region> changed = new ArrayList<>();
        for (int k = 0; k < req.regions().size(); k++) {
            RawRequest.Region r = req.regions().get(k);
            byte[] before = initial.get(k), after = new byte[before.length];
            as.peek(r.addr(), after, 0, after.length);
            int i = 0;
            while (i < after.length) {
                if (after[i] == before[i]) { i++; continue; }
                int j = i;
                while (j < after.length && after[j] != before[j]) j++;
                byte[] run = java.util.Arrays.copyOfRange(after, i, j);
                changed.add(new RawRequest.Region(r.addr() + i, run.length, run));
                i = j;
            }
        }
        String json = json(cpu, regs, changed, stop);
        return new RawResult(regs, changed, stop.reason, stop.signal, stop.addr, cpu.icount, json);
    }

    private String json(Vcpu cpu, Map<String, Long> regs, List<RawRequest.Region> changed, Stop stop) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"arch\":\"").append(arch()).append("\",\"stop\":\"").append(stop.reason)
          .append("\",\"icount\":").append(cpu.icount).append(",\"regs\":{");
        boolean first = true;
        for (Map.Entry<String, Long> e : regs.entrySet()) {
            if (!first) sb.append(',');
            first = false;
            sb.append('"').append(e.getKey()).append("\":\"0x").append(Long.toHexString(e.getValue())).append('"');
        }
        sb.append("},\"xmm\":[");
        for (int n = 0; n < (x64 ? 16 : 8); n++) {
            if (n > 0) sb.append(',');
            sb.append("\"0x").append(String.format("%016x%016x", cpu.regs[Slots.xmmHi(n)], cpu.regs[Slots.xmmLo(n)])).append('"');
        }
        X87 f = ((X86State) cpu.ext).fpu;
        int abridged = 0;
        for (int r = 0; r < 8; r++) if (((f.ftw >>> (2 * r)) & 3) != 3) abridged |= 1 << r;
        sb.append("],\"mxcsr\":\"0x").append(Long.toHexString(cpu.regs[Slots.MXCSR]))
          .append("\",\"x87\":{\"fcw\":\"0x").append(Integer.toHexString(f.fcw))
          .append("\",\"fsw\":\"0x").append(Integer.toHexString(f.statusWord()))
          .append("\",\"ftw\":\"0x").append(Integer.toHexString(abridged)).append("\",\"st\":[");
        for (int i = 0; i < 8; i++) {
            int p = (f.top + i) & 7;
            if (i > 0) sb.append(',');
            sb.append("\"0x").append(String.format("%04x%016x", f.sexp[p] & 0xFFFF, f.mant[p])).append('"');
        }
        sb.append("]},\"memory\":[");
        for (int k = 0; k < changed.size(); k++) {
            if (k > 0) sb.append(',');
            sb.append("{\"addr\":\"0x").append(Long.toHexString(changed.get(k).addr())).append("\",\"hex\":\"")
              .append(java.util.HexFormat.of().formatHex(changed.get(k).bytes())).append("\"}");
        }
        sb.append("],\"fault\":");
        if ("fault".equals(stop.reason)) sb.append("{\"signal\":").append(stop.signal).append(",\"code\":").append(stop.code).append(",\"addr\":\"0x").append(Long.toHexString(stop.addr)).append("\"}");
        else sb.append("null");
        return sb.append('}').toString();
    }
}
