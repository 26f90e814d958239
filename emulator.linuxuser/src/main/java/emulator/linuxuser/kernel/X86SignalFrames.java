package emulator.linuxuser.kernel;

import emulator.core.exec.Vcpu;
import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import emulator.x86.Flags;
import emulator.x86.Slots;
import emulator.x86.X86State;

import java.nio.ByteBuffer;

/**
 * Signal frames with the Linux x86 ABI's layouts (facts of the kernel's user ABI):
 * <ul>
 * <li>x86-64 {@code rt_sigframe}: pretcode (8), ucontext (304: flags, link, stack_t, sigcontext of
 *     256 bytes, sigmask), siginfo (128); the FXSAVE image (512, 64-aligned) above it, pointed to by
 *     sigcontext.fpstate;</li>
 * <li>i386 {@code sigframe}: pretcode, sig, sigcontext (88), unused _fpstate_32 (624),
 *     extramask, retcode (8); and {@code rt_sigframe}: pretcode, sig, pinfo, puc, siginfo (128),
 *     ucontext (116), retcode (8). The math frame is the 112-byte FSAVE header followed by the
 *     FXSAVE image (magic 0 = FXSR format).</li>
 * </ul>
 * SSE state (xmm, MXCSR) is saved in and restored from the FXSAVE image; the x87 registers are left
 * as they are across a handler (a handler that uses x87 and returns would clobber them; noted).
 */
final class X86SignalFrames implements SignalFrames {
    private static final int SC64 = 256, UC64 = 304, FRAME64 = 8 + UC64 + 128;
    private static final int SC32 = 88, FRAME32 = 8 + SC32 + 624 + 4 + 8, RTFRAME32 = 16 + 128 + 116 + 8;
    private static final int FX = 512, FSAVE_HDR = 112;
    /** User-changeable rflags: CF PF AF ZF SF TF DF OF AC (sigreturn keeps the rest). */
    private static final long FIX_FLAGS = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x40000;

    private final boolean x64;

    X86SignalFrames(boolean x64) { this.x64 = x64; }

    private static GuestMem mem(GuestThread t) { return t.proc.sys.memory(); }

    // ================================================================== setup

    @Override
    public void setup(Vcpu cpu, GuestThread t, int sig, Signals.Info info, SigAction a, long savedMask) throws ErrnoException {
        LinuxProcess p = t.proc;
        long[] r = cpu.regs;
        long sp = x64 ? r[Slots.RSP] : r[Slots.RSP] & 0xFFFF_FFFFL;
        boolean onAlt = onAltStack(p, sp);
        int ssFlags = p.altStackFlags == 2 ? 2 : onAlt ? 1 : 0;
        if (a.has(SigAction.SA_ONSTACK) && p.altStackFlags != 2 && !onAlt) sp = p.altStackSp + p.altStackSize;
        else if (x64) sp -= 128; // the red zone
        GuestMem m = mem(t);
        if (x64) setup64(cpu, m, sp, sig, info, a, savedMask, p, ssFlags);
        else setup32(cpu, m, sp, sig, info, a, savedMask, p, ssFlags);
        r[Slots.FLAGS] &= ~(0x400L | 0x100L); // DF and TF clear in the handler
    }

    private static boolean onAltStack(LinuxProcess p, long sp) {
        return p.altStackFlags != 2 && sp > p.altStackSp && sp - p.altStackSp <= p.altStackSize;
    }

    private void setup64(Vcpu cpu, GuestMem m, long sp, int sig, Signals.Info info, SigAction a, long mask,
                         LinuxProcess p, int ssFlags) throws ErrnoException {
        long[] r = cpu.regs;
        if (!a.has(SigAction.SA_RESTORER)) throw new ErrnoException(Errno.EFAULT); // x86-64 requires it
        long fx = (sp - FX) & ~63L;
        long frame = ((fx - FRAME64) & ~15L) - 8;
        m.write(fx, fxsave(r));
        ByteBuffer b = GuestMem.buffer(FRAME64);
        b.putLong(a.restorer());
        // ucontext
        b.putLong(0).putLong(0);                                  // uc_flags, uc_link
        b.putLong(p.altStackSp).putInt(ssFlags).putInt(0).putLong(p.altStackSize);
        int[] order = {8, 9, 10, 11, 12, 13, 14, 15, Slots.RDI, Slots.RSI, Slots.RBP, Slots.RBX, Slots.RDX, Slots.RAX,
                Slots.RCX, Slots.RSP};
        for (int reg : order) b.putLong(r[reg]);
        b.putLong(cpu.pc).putLong(Flags.rflags(r));
        X86State st = (X86State) cpu.ext;
        b.putShort((short) 0x33).putShort((short) st.selectors[5]).putShort((short) st.selectors[4]).putShort((short) 0x2B);
        b.putLong(info.errorCode()).putLong(info.trapno()).putLong(mask).putLong(info.addr()).putLong(fx);
        b.position(8 + 40 + SC64);
        b.putLong(mask);                                          // uc_sigmask
        b.put(Signals.siginfo(info, 8));
        m.write(frame, b);
        r[Slots.RDI] = sig;
        r[Slots.RSI] = frame + 8 + UC64;
        r[Slots.RDX] = frame + 8;
        r[Slots.RAX] = 0;
        r[Slots.RSP] = frame;
        cpu.pc = a.handler();
    }

    private void setup32(Vcpu cpu, GuestMem m, long sp, int sig, Signals.Info info, SigAction a, long mask,
                         LinuxProcess p, int ssFlags) throws ErrnoException {
        long[] r = cpu.regs;
        boolean rt = a.has(SigAction.SA_SIGINFO);
        long fx = (sp - FX) & ~63L;
        long fp = fx - FSAVE_HDR;
        int size = rt ? RTFRAME32 : FRAME32;
        long frame = ((fp - size + 4) & ~15L) - 4;
        ByteBuffer hdr = GuestMem.buffer(FSAVE_HDR);
        hdr.putInt(0xFFFF037F).putInt(0xFFFF0000).putInt(0xFFFFFFFF);
        hdr.putShort(108, (short) 0).putShort(110, (short) 0);   // status, magic 0: FXSR data follows
        m.write(fp, hdr.array());
        m.write(fx, fxsave(r));
        byte[] sc = sigcontext32(cpu, info, mask, fp);
        ByteBuffer b = GuestMem.buffer(size);
        if (rt) {
            long retcode = frame + 260;
            b.putInt((int) (a.has(SigAction.SA_RESTORER) ? a.restorer() : retcode)).putInt(sig)
                    .putInt((int) (frame + 16)).putInt((int) (frame + 144));
            b.put(Signals.siginfo(info, 4));
            b.putInt(0).putInt(0).putInt((int) p.altStackSp).putInt(ssFlags).putInt((int) p.altStackSize);
            b.put(sc);
            b.putLong(mask);
            b.put(new byte[] {(byte) 0xB8, (byte) 0xAD, 0, 0, 0, (byte) 0xCD, (byte) 0x80, 0}); // mov $173,%eax; int $0x80
            r[Slots.RDX] = frame + 16;
            r[Slots.RCX] = frame + 144;
        } else {
            long retcode = frame + 724;
            b.putInt((int) (a.has(SigAction.SA_RESTORER) ? a.restorer() : retcode)).putInt(sig);
            b.put(sc);
            b.position(8 + SC32 + 624);
            b.putInt((int) (mask >>> 32));
            b.put(new byte[] {0x58, (byte) 0xB8, 0x77, 0, 0, 0, (byte) 0xCD, (byte) 0x80}); // pop %eax; mov $119,%eax; int $0x80
            r[Slots.RDX] = 0;
            r[Slots.RCX] = 0;
        }
        m.write(frame, b);
        r[Slots.RAX] = sig;
        r[Slots.RSP] = frame;
        cpu.pc = a.handler();
    }

    private static byte[] sigcontext32(Vcpu cpu, Signals.Info info, long mask, long fp) {
        long[] r = cpu.regs;
        X86State st = (X86State) cpu.ext;
        ByteBuffer b = GuestMem.buffer(SC32);
        b.putInt(st.selectors[5]).putInt(st.selectors[4]).putInt(0x2B).putInt(0x2B);
        int[] order = {Slots.RDI, Slots.RSI, Slots.RBP, Slots.RSP, Slots.RBX, Slots.RDX, Slots.RCX, Slots.RAX};
        for (int reg : order) b.putInt((int) r[reg]);
        b.putInt(info.trapno()).putInt(info.errorCode()).putInt((int) cpu.pc).putInt(0x23)
                .putInt((int) Flags.rflags(r)).putInt((int) r[Slots.RSP]).putInt(0x2B).putInt((int) fp)
                .putInt((int) mask).putInt((int) info.addr());
        return b.array();
    }

    /** The part of an FXSAVE image the emulator keeps per signal: control words, MXCSR, xmm registers. */
    private byte[] fxsave(long[] r) {
        ByteBuffer b = GuestMem.buffer(FX);
        b.putShort(0, (short) 0x37F);
        b.putInt(24, (int) r[Slots.MXCSR]).putInt(28, 0xFFFF);
        int n = x64 ? 16 : 8;
        for (int i = 0; i < n; i++) b.putLong(160 + 16 * i, r[Slots.xmmLo(i)]).putLong(168 + 16 * i, r[Slots.xmmHi(i)]);
        return b.array();
    }

    private void fxrstor(GuestMem m, long[] r, long fx) throws ErrnoException {
        byte[] img = m.read(fx, FX);
        ByteBuffer b = ByteBuffer.wrap(img).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        r[Slots.MXCSR] = b.getInt(24) & 0xFFFFL;
        int n = x64 ? 16 : 8;
        for (int i = 0; i < n; i++) {
            r[Slots.xmmLo(i)] = b.getLong(160 + 16 * i);
            r[Slots.xmmHi(i)] = b.getLong(168 + 16 * i);
        }
    }

    // ================================================================== sigreturn

    @Override
    public void sigreturn(Vcpu cpu, GuestThread t, boolean rt) throws ErrnoException {
        GuestMem m = mem(t);
        long[] r = cpu.regs;
        LinuxProcess p = t.proc;
        long mask;
        if (x64) {
            if (!rt) throw new ErrnoException(Errno.ENOSYS);
            long frame = r[Slots.RSP] - 8;
            long uc = frame + 8, sc = uc + 40;
            ByteBuffer b = ByteBuffer.wrap(m.read(sc, SC64)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int[] order = {8, 9, 10, 11, 12, 13, 14, 15, Slots.RDI, Slots.RSI, Slots.RBP, Slots.RBX, Slots.RDX, Slots.RAX,
                    Slots.RCX, Slots.RSP};
            long[] v = new long[order.length];
            for (int i = 0; i < order.length; i++) v[i] = b.getLong();
            long rip = b.getLong(), flags = b.getLong();
            long fx = b.getLong(184);
            mask = m.readU64(uc + 296);
            restoreAltStack(m, p, uc + 16, 8);
            for (int i = 0; i < order.length; i++) r[order[i]] = v[i];
            cpu.pc = rip;
            setFlags(r, flags);
            if (fx != 0) fxrstor(m, r, fx);
        } else {
            long esp = r[Slots.RSP] & 0xFFFF_FFFFL;
            long sc;
            if (rt) {
                long frame = esp - 4, uc = frame + 144;
                sc = uc + 20;
                mask = m.readU64(uc + 108);
                restoreAltStack(m, p, uc + 8, 4);
            } else {
                long frame = esp - 8;
                sc = frame + 8;
                mask = m.readU32(sc + 80) | m.readU32(frame + 8 + SC32 + 624) << 32;
            }
            ByteBuffer b = ByteBuffer.wrap(m.read(sc, SC32)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int[] order = {Slots.RDI, Slots.RSI, Slots.RBP, Slots.RSP, Slots.RBX, Slots.RDX, Slots.RCX, Slots.RAX};
            for (int i = 0; i < order.length; i++) r[order[i]] = b.getInt(16 + 4 * i) & 0xFFFF_FFFFL;
            cpu.pc = b.getInt(56) & 0xFFFF_FFFFL;
            setFlags(r, b.getInt(64) & 0xFFFF_FFFFL);
            long fp = b.getInt(76) & 0xFFFF_FFFFL;
            if (fp != 0 && (m.readU32(fp + 108) >>> 16) == 0) fxrstor(m, r, fp + FSAVE_HDR);
        }
        t.sigmask = mask & ~Signals.UNBLOCKABLE;
        t.keepRegisters = true;
    }

    private static void setFlags(long[] r, long flags) {
        long cur = Flags.rflags(r);
        Flags.setRflags(r, (cur & ~FIX_FLAGS) | (flags & FIX_FLAGS));
    }

    /** sigreturn restores the alternate stack setting saved in the frame (errors ignored, as Linux). */
    private static void restoreAltStack(GuestMem m, LinuxProcess p, long ss, int w) throws ErrnoException {
        long sp = w == 8 ? m.readU64(ss) : m.readU32(ss);
        int flags = (int) m.readU32(ss + w);
        long size = w == 8 ? m.readU64(ss + 16) : m.readU32(ss + 8);
        if (flags == 2) { p.altStackFlags = 2; p.altStackSp = 0; p.altStackSize = 0; }
        else if (size >= 2048 && (flags & ~1) == 0) { p.altStackSp = sp; p.altStackSize = size; p.altStackFlags = 0; }
    }

    @Override
    public void restartSyscall(Vcpu cpu, long nr) {
        cpu.pc -= 2; // syscall (0f 05) and int 0x80 (cd 80) are both two bytes
        cpu.regs[Slots.RAX] = nr;
    }
}
