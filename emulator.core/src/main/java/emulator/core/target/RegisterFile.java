package emulator.core.target;

import emulator.core.exec.Vcpu;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Registers by architectural name, for {@link emulator.api.Cpu#reg}: plain parts of state slots,
 * or computed ones (x86 rflags from lazy flags) through an {@link Accessor}.
 */
public final class RegisterFile {
    /** Reads and writes one named register of a vCPU. */
    public interface Accessor {
        long get(Vcpu c);

        void set(Vcpu c, long v);
    }

    private final Map<String, Accessor> regs = new LinkedHashMap<>();

    /** Adds a register stored in bits [lsb, lsb+bits) of state slot {@code slot}. */
    public RegisterFile slot(String name, int slot, int lsb, int bits) {
        long mask = bits == 64 ? -1L : ((1L << bits) - 1);
        return add(name, new Accessor() {
            public long get(Vcpu c) { return (c.regs[slot] >>> lsb) & mask; }

            public void set(Vcpu c, long v) { c.regs[slot] = (c.regs[slot] & ~(mask << lsb)) | ((v & mask) << lsb); }
        });
    }

    public RegisterFile add(String name, Accessor a) {
        regs.put(name, a);
        return this;
    }

    public Accessor get(String name) {
        Accessor a = regs.get(name);
        if (a == null) throw new IllegalArgumentException("no register named '" + name + "'");
        return a;
    }

    public boolean has(String name) { return regs.containsKey(name); }

    public List<String> names() { return new ArrayList<>(regs.keySet()); }
}
