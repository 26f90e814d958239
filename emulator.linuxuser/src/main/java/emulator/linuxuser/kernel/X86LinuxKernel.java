package emulator.linuxuser.kernel;

import emulator.core.exec.GuestException;
import emulator.core.exec.GuestKernel;
import emulator.core.exec.Vcpu;
import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import emulator.linuxuser.abi.SyscallTable;
import emulator.x86.Flags;
import emulator.x86.Slots;
import emulator.x86.X86State;

import java.io.PrintStream;

/**
 * The Linux personality for x86 guests: reads system-call arguments per the i386 ({@code int 0x80}:
 * eax; ebx ecx edx esi edi ebp) or x86-64 ({@code syscall}: rax; rdi rsi rdx r10 r8 r9) convention,
 * runs the shared {@link LinuxSyscalls}, and adds the x86-only calls arch_prctl and set_thread_area.
 *
 * <p>Guest exceptions become the signal Linux would send (SIGSEGV for page faults and #GP, SIGILL
 * for #UD, SIGFPE for #DE, SIGTRAP for int3/#DB, SIGBUS for #AC) with its si_code and si_addr:
 * delivered to a handler, or the process ends. One instance serves every guest process of a run:
 * the calling thread ({@code Vcpu.kernelData}) says which process's system-call table to use.
 */
public final class X86LinuxKernel implements GuestKernel {
    public static final int SIGILL = 4, SIGTRAP = 5, SIGBUS = 7, SIGFPE = 8, SIGSEGV = 11;
    /** First and last GDT entry handed out by set_thread_area (GDT_ENTRY_TLS_MIN / MAX). */
    static final int TLS_MIN = 12, TLS_MAX = 14;
    /** Calls that return EINTR when a handler ran, even with SA_RESTART (Linux's ERESTARTNOHAND / restart-block calls). */
    private static final java.util.Set<String> NO_SA_RESTART = java.util.Set.of("pause", "rt_sigsuspend", "sigsuspend",
            "nanosleep", "clock_nanosleep", "clock_nanosleep_time64", "poll", "ppoll", "ppoll_time64", "select",
            "_newselect", "pselect6", "pselect6_time64", "epoll_wait", "epoll_pwait", "rt_sigtimedwait");

    private final boolean x64;
    private final LinuxSystem system;

    X86LinuxKernel(LinuxSystem system) {
        this.system = system;
        this.x64 = system.x64;
    }

    /** Adds the x86-only calls to a process's table. */
    void registerArch(LinuxSyscalls sys) {
        sys.stackPointer = c -> c.regs[Slots.RSP];
        sys.register("arch_prctl", (c, a) -> archPrctl(sys.memory(), c, a));
        sys.register("set_thread_area", (c, a) -> setThreadArea(sys.memory(), c, a[0]));
        sys.register("get_thread_area", (c, a) -> getThreadArea(sys.memory(), c, a));
    }

    @Override
    public void syscall(Vcpu cpu) {
        GuestThread t = (GuestThread) cpu.kernelData;
        LinuxProcess proc = t.proc;
        LinuxSyscalls sys = proc.sys;
        long[] r = cpu.regs;
        long nr;
        long[] args;
        if (x64) {
            nr = r[Slots.RAX];
            // the syscall instruction itself: rcx = return address, r11 = rflags
            r[Slots.RCX] = cpu.pc;
            r[11] = Flags.rflags(r);
            args = new long[] {r[Slots.RDI], r[Slots.RSI], r[Slots.RDX], r[10], r[8], r[9]};
        } else {
            nr = r[Slots.RAX] & 0xFFFF_FFFFL;
            args = new long[] {r[Slots.RBX], r[Slots.RCX], r[Slots.RDX], r[Slots.RSI], r[Slots.RDI], r[Slots.RBP]};
        }
        t.keepRegisters = false;
        long result = nr < 0 || nr > Integer.MAX_VALUE ? -Errno.ENOSYS.number() : sys.dispatch(cpu, (int) nr, args);
        if (proc.hasExited() || cpu.isStopped()) return;
        if (result == -Errno.EINTR.number() && !t.keepRegisters) {
            int d = system.signals.nextDisposition(t);
            String name = sys.table().name((int) nr);
            boolean restart = d <= 0 || (d == 2 && !NO_SA_RESTART.contains(name));
            if (restart) {
                system.frames.restartSyscall(cpu, nr);
                if (!system.signals.deliver(cpu, t)) return;
                return;
            }
        }
        if (!t.keepRegisters) r[Slots.RAX] = x64 ? result : result & 0xFFFF_FFFFL;
        t.keepRegisters = false;
        system.signals.deliver(cpu, t);
    }

    /** Signals that arrived while the thread was computing: delivered at a block boundary. */
    @Override
    public void safePoint(Vcpu cpu) {
        if (!(cpu.kernelData instanceof GuestThread t) || t.proc.hasExited() || !system.signals.hasDeliverable(t)) return;
        cpu.enterKernel();
        try {
            system.signals.deliver(cpu, t);
        } finally {
            if (!t.proc.hasExited() && !cpu.isStopped()) cpu.leaveKernel();
        }
    }

    @Override
    public void exception(Vcpu cpu, GuestException e) {
        GuestThread t = (GuestThread) cpu.kernelData;
        int sig, code, trapno;
        String what;
        long addr = 0;
        switch (e.kind) {
            case PAGE_FAULT -> {
                sig = SIGSEGV; trapno = 14; what = e.getMessage(); addr = e.address;
                code = cpu.space.isMapped(e.address) ? 2 /* SEGV_ACCERR */ : 1 /* SEGV_MAPERR */;
            }
            case DIVIDE_ERROR -> { sig = SIGFPE; trapno = 0; code = 1 /* FPE_INTDIV */; what = "#DE: divide error"; addr = cpu.pc; }
            default -> {
                trapno = e.vector;
                sig = switch (e.vector) {
                    case 0, 16, 19 -> SIGFPE;
                    case 1, 3 -> SIGTRAP;
                    case 6 -> SIGILL;
                    case 17 -> SIGBUS;
                    default -> SIGSEGV;
                };
                code = switch (e.vector) {
                    case 0 -> 1;         // FPE_INTDIV
                    case 3 -> 0x80;      // SI_KERNEL (int3)
                    case 1 -> 2;         // TRAP_TRACE
                    case 6 -> 2;         // ILL_ILLOPN
                    case 17 -> 1;        // BUS_ADRALN
                    case 13 -> 0x80;     // #GP: SI_KERNEL
                    default -> 0x80;
                };
                if (sig == SIGILL || sig == SIGFPE) addr = cpu.pc;
                String name = switch (e.vector) {
                    case 0 -> "#DE"; case 1 -> "#DB"; case 3 -> "#BP"; case 6 -> "#UD"; case 13 -> "#GP";
                    case 16 -> "#MF"; case 17 -> "#AC"; case 19 -> "#XM"; default -> "vector " + e.vector;
                };
                what = name + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
        }
        // an instruction the front end does not implement (not a real invalid opcode such as ud2): always say so
        if (e.kind == GuestException.Kind.TRAP && e.vector == 6 && e.getMessage() != null && !e.getMessage().contains("invalid opcode"))
            system.err.println("abiscope: #UD at pc 0x" + Long.toHexString(cpu.pc) + " (" + what + ")");
        long pc = cpu.pc;
        boolean alive = system.signals.fault(cpu, t, new Signals.Info(sig, code, 0, 0, 0, addr, trapno, e.errorCode));
        if (!alive && t.proc == system.init()) {
            system.err.println("abiscope: guest killed by " + signalName(sig) + " at pc 0x" + Long.toHexString(pc) + " (" + what + ")");
            system.err.flush();
        }
    }

    public static String signalName(int sig) {
        return switch (sig) {
            case SIGILL -> "SIGILL";
            case SIGTRAP -> "SIGTRAP";
            case SIGBUS -> "SIGBUS";
            case SIGFPE -> "SIGFPE";
            case SIGSEGV -> "SIGSEGV";
            default -> "signal " + sig;
        };
    }

    // ---- arch_prctl (x86-64)

    private long archPrctl(GuestMem mem, Vcpu cpu, long[] a) throws ErrnoException {
        if (!x64) throw new ErrnoException(Errno.EINVAL);
        long addr = a[1];
        switch ((int) a[0]) {
            case 0x1001 -> cpu.regs[Slots.GS_BASE] = checkCanonical(addr);   // ARCH_SET_GS
            case 0x1002 -> cpu.regs[Slots.FS_BASE] = checkCanonical(addr);   // ARCH_SET_FS
            case 0x1003 -> mem.writeU64(addr, cpu.regs[Slots.FS_BASE]);     // ARCH_GET_FS
            case 0x1004 -> mem.writeU64(addr, cpu.regs[Slots.GS_BASE]);     // ARCH_GET_GS
            default -> throw new ErrnoException(Errno.EINVAL);
        }
        return 0;
    }

    private static long checkCanonical(long addr) throws ErrnoException {
        if (Long.compareUnsigned(addr, 0x7FFF_FFFF_F000L) >= 0) throw new ErrnoException(Errno.EPERM);
        return addr;
    }

    // ---- set_thread_area / get_thread_area (i386 TLS through the GDT)

    long setThreadArea(GuestMem mem, Vcpu cpu, long u) throws ErrnoException {
        byte[] d = mem.read(u, 16);
        X86State st = (X86State) cpu.ext;
        int entry = (int) mem.readU32(u);
        long base = mem.readU32(u + 4);
        long limit = mem.readU32(u + 8);
        int flags = (int) mem.readU32(u + 12);
        if (entry == -1) {
            entry = -1;
            for (int i = TLS_MIN; i <= TLS_MAX; i++) if (!st.gdtPresent[i]) { entry = i; break; }
            if (entry < 0) throw new ErrnoException(Errno.ESRCH);
            mem.writeU32(u, entry);
        }
        if (entry < TLS_MIN || entry > TLS_MAX) throw new ErrnoException(Errno.EINVAL);
        boolean readExecOnly = (flags & 8) != 0, notPresent = (flags & 32) != 0;
        boolean empty = base == 0 && limit == 0 && (flags & ~0x40) == (8 | 32) || d.length == 0;
        if (empty || notPresent) {
            st.gdtPresent[entry] = false;
            st.gdtBase[entry] = 0;
        } else {
            st.gdtPresent[entry] = true;
            st.gdtBase[entry] = base;
        }
        // a segment register already holding this selector sees the new base at once (the kernel reloads it)
        if (st.selectors[4] >>> 3 == entry) cpu.regs[Slots.FS_BASE] = st.gdtBase[entry];
        if (st.selectors[5] >>> 3 == entry) cpu.regs[Slots.GS_BASE] = st.gdtBase[entry];
        return 0;
    }

    private long getThreadArea(GuestMem mem, Vcpu cpu, long[] a) throws ErrnoException {
        int entry = (int) mem.readU32(a[0]);
        if (entry < TLS_MIN || entry > TLS_MAX) throw new ErrnoException(Errno.EINVAL);
        X86State st = (X86State) cpu.ext;
        var b = GuestMem.buffer(16).putInt(entry).putInt((int) st.gdtBase[entry])
                .putInt(st.gdtPresent[entry] ? 0xFFFFF : 0).putInt(st.gdtPresent[entry] ? 0x51 : 0x28);
        mem.write(a[0], b);
        return 0;
    }
}
