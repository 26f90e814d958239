package plugin.syscalls.linux;

import emulator.api.Cpu;
import emulator.api.GuestMemory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A CPU view with registers in a map and one flat memory per address space, for tracker tests. */
final class FakeCpu implements Cpu {
    final String arch;
    final Map<String, Long> regs = new HashMap<>();
    final Map<Long, byte[]> spaces = new HashMap<>();
    long asid = 1, pc, icount;
    /** When set, every memory read throws it (a broken memory view, to test that the tracer survives one). */
    RuntimeException readFailure;
    static final long BASE = 0x10000;

    FakeCpu(String arch) { this.arch = arch; }

    FakeCpu set(String reg, long v) { regs.put(reg, v); return this; }

    byte[] mem() { return spaces.computeIfAbsent(asid, a -> new byte[0x10000]); }

    void poke(long addr, byte[] b) { System.arraycopy(b, 0, mem(), (int) (addr - BASE), b.length); }

    void pokeInt(long addr, long v, int size) { for (int i = 0; i < size; i++) mem()[(int) (addr - BASE) + i] = (byte) (v >>> (8 * i)); }

    @Override public int index() { return 0; }
    @Override public String arch() { return arch; }
    @Override public long pc() { return pc; }
    @Override public long reg(String name) { return regs.getOrDefault(name, 0L); }
    @Override public void setReg(String name, long value) { regs.put(name, value); }
    @Override public List<String> registerNames() { return List.copyOf(regs.keySet()); }
    @Override public long asid() { return asid; }
    @Override public int privilege() { return 0; }
    @Override public long icount() { return icount; }

    @Override
    public GuestMemory memory() {
        byte[] m = mem();
        return new GuestMemory() {
            public long asid() { return asid; }
            public boolean isReadable(long addr) { return addr >= BASE && addr < BASE + m.length; }
            public int read(long addr, byte[] dst, int off, int len) {
                if (readFailure != null) throw readFailure;
                int n = 0;
                while (n < len && isReadable(addr + n)) { dst[off + n] = m[(int) (addr + n - BASE)]; n++; }
                return n;
            }
            public int write(long addr, byte[] src, int off, int len) { return 0; }
        };
    }
}
