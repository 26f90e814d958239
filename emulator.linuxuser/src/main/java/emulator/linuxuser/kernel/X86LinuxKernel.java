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
 * <p>Guest exceptions kill the process with the default action of the signal Linux would send
 * (no signal handlers are run yet): SIGSEGV for page faults and #GP, SIGILL for #UD, SIGFPE for
 * #DE, SIGTRAP for int3/#DB, SIGBUS for #AC.
 */
public final class X86LinuxKernel implements GuestKernel {
    public static final int SIGILL = 4, SIGTRAP = 5, SIGBUS = 7, SIGFPE = 8, SIGSEGV = 11;
    /** First and last GDT entry handed out by set_thread_area (GDT_ENTRY_TLS_MIN / MAX). */
    static final int TLS_MIN = 12, TLS_MAX = 14;

    private final boolean x64;
    private final LinuxSyscalls sys;
    private final LinuxProcess proc;
    private final PrintStream err;

    public X86LinuxKernel(boolean x64, LinuxProcess proc, GuestMem mem, PrintStream err) {
        this.x64 = x64;
        this.proc = proc;
        this.err = err;
        this.sys = new LinuxSyscalls(x64 ? SyscallTable.Abi.X86_64 : SyscallTable.Abi.I386, proc, mem,
                x64 ? "x86_64" : "i686", err);
        sys.register("arch_prctl", this::archPrctl);
        sys.register("set_thread_area", this::setThreadArea);
        sys.register("get_thread_area", this::getThreadArea);
    }

    public LinuxSyscalls syscalls() { return sys; }

    @Override
    public void syscall(Vcpu cpu) {
        long[] r = cpu.regs;
        long result;
        if (x64) {
            long nr = r[Slots.RAX];
            // the syscall instruction itself: rcx = return address, r11 = rflags
            r[Slots.RCX] = cpu.pc;
            long flags = Flags.rflags(r);
            r[11] = flags;
            long[] args = {r[Slots.RDI], r[Slots.RSI], r[Slots.RDX], r[10], r[8], r[9]};
            result = nr < 0 || nr > Integer.MAX_VALUE ? -Errno.ENOSYS.number() : sys.dispatch(cpu, (int) nr, args);
            if (proc.hasExited()) return;
            r[Slots.RAX] = result;
        } else {
            long nr = r[Slots.RAX] & 0xFFFF_FFFFL;
            long[] args = {r[Slots.RBX], r[Slots.RCX], r[Slots.RDX], r[Slots.RSI], r[Slots.RDI], r[Slots.RBP]};
            result = nr > Integer.MAX_VALUE ? -Errno.ENOSYS.number() : sys.dispatch(cpu, (int) nr, args);
            if (proc.hasExited()) return;
            r[Slots.RAX] = result & 0xFFFF_FFFFL;
        }
    }

    @Override
    public void exception(Vcpu cpu, GuestException e) {
        int sig;
        String what;
        switch (e.kind) {
            case PAGE_FAULT -> { sig = SIGSEGV; what = e.getMessage(); }
            case DIVIDE_ERROR -> { sig = SIGFPE; what = "#DE: divide error"; }
            default -> {
                sig = switch (e.vector) {
                    case 0, 16, 19 -> SIGFPE;
                    case 1, 3 -> SIGTRAP;
                    case 6 -> SIGILL;
                    case 17 -> SIGBUS;
                    default -> SIGSEGV;
                };
                String name = switch (e.vector) {
                    case 0 -> "#DE"; case 1 -> "#DB"; case 3 -> "#BP"; case 6 -> "#UD"; case 13 -> "#GP";
                    case 16 -> "#MF"; case 17 -> "#AC"; case 19 -> "#XM"; default -> "vector " + e.vector;
                };
                what = name + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
        }
        err.println("abiscope: guest killed by " + signalName(sig) + " at pc 0x" + Long.toHexString(cpu.pc) + " (" + what + ")");
        err.flush();
        proc.killed(sig);
        cpu.stop();
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

    private long archPrctl(Vcpu cpu, long[] a) throws ErrnoException {
        if (!x64) throw new ErrnoException(Errno.EINVAL);
        GuestMem mem = sys.memory();
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

    private long setThreadArea(Vcpu cpu, long[] a) throws ErrnoException {
        GuestMem mem = sys.memory();
        long u = a[0];
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

    private long getThreadArea(Vcpu cpu, long[] a) throws ErrnoException {
        GuestMem mem = sys.memory();
        int entry = (int) mem.readU32(a[0]);
        if (entry < TLS_MIN || entry > TLS_MAX) throw new ErrnoException(Errno.EINVAL);
        X86State st = (X86State) cpu.ext;
        var b = GuestMem.buffer(16).putInt(entry).putInt((int) st.gdtBase[entry])
                .putInt(st.gdtPresent[entry] ? 0xFFFFF : 0).putInt(st.gdtPresent[entry] ? 0x51 : 0x28);
        mem.write(a[0], b);
        return 0;
    }
}
