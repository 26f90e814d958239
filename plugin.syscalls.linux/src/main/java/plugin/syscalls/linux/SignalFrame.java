package plugin.syscalls.linux;

import emulator.api.GuestMemory;
import java.util.OptionalLong;
import plugin.syscalls.linux.table.Arch;

/**
 * The context a Linux signal handler interrupted, read from the signal frame the kernel pushed
 * (the layouts are facts of the kernel's user ABI, arch/x86/include/uapi/asm/sigcontext.h and
 * arch/x86/kernel/signal.c). When a system call's return is diverted into a handler, the frame holds
 * the call's result and the stack pointer and return address it would have returned to: that is how
 * an ABI-only tracer completes the call before the handler runs, as strace shows it.
 *
 * <ul>
 * <li>x86-64 {@code rt_sigframe} at the handler's rsp: pretcode (8), ucontext: flags (8), link (8),
 *     stack_t (24), then sigcontext r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;</li>
 * <li>i386 {@code rt_sigframe}: pretcode, sig, pinfo (= frame+16), puc; ucontext: flags, link,
 *     stack_t (12), then sigcontext; {@code sigframe}: pretcode, sig, sigcontext. sigcontext: gs, fs,
 *     es, ds, edi, esi, ebp, esp, ebx, edx, ecx, eax, trapno, err, eip.</li>
 * </ul>
 * ARM frames are not read yet: there the call completes when the handler returns, as before.
 */
final class SignalFrame {
    private SignalFrame() {}

    /** The interrupted context: where it resumes and what its result register holds. */
    record Interrupted(long sp, long pc, long result) {}

    /** The context saved by a handler frame at {@code sp}, or null when there is none readable there. */
    static Interrupted at(Arch arch, GuestMemory mem, long sp) {
        return switch (arch) {
            case X86_64 -> context(mem, sp + 48, 8, 13, 15, 16);
            case I386 -> {
                OptionalLong pinfo = mem.readInt(sp + 8, 4), puc = mem.readInt(sp + 12, 4);
                boolean rt = pinfo.isPresent() && puc.isPresent() && pinfo.getAsLong() == ((sp + 16) & 0xFFFF_FFFFL);
                long sc = rt ? puc.getAsLong() + 20 : sp + 8;
                yield context(mem, sc, 4, 11, 7, 14);
            }
            default -> null;
        };
    }

    private static Interrupted context(GuestMemory mem, long sc, int word, int ax, int spIndex, int pcIndex) {
        OptionalLong r = mem.readInt(sc + (long) ax * word, word), s = mem.readInt(sc + (long) spIndex * word, word),
                p = mem.readInt(sc + (long) pcIndex * word, word);
        if (r.isEmpty() || s.isEmpty() || p.isEmpty()) return null;
        return new Interrupted(s.getAsLong(), p.getAsLong(), r.getAsLong());
    }
}
