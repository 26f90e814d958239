package emulator.api.instrument;

import java.util.Arrays;

/**
 * A counter that generated code increments directly, with no callback: one slot per vCPU (no
 * contention, no atomics), summed on demand. Create one per thing counted.
 */
public final class InlineCounter {
    // One cache line (8 longs) per vCPU so that vCPU threads never share a line.
    private static final int STRIDE = 8;
    private volatile long[] slots = new long[4 * STRIDE];

    /** Adds {@code n} for vCPU {@code vcpu}; called from generated code on that vCPU's thread. */
    public void add(int vcpu, long n) {
        long[] s = slots;
        int i = vcpu * STRIDE;
        if (i >= s.length) {
            s = grow(i);
        }
        s[i] += n;
    }

    private synchronized long[] grow(int needed) {
        long[] s = slots;
        if (needed >= s.length) {
            s = Arrays.copyOf(s, Math.max(needed + STRIDE, s.length * 2));
            slots = s;
        }
        return s;
    }

    /** The total over every vCPU; exact once the vCPUs are stopped, approximate while they run. */
    public long sum() {
        long[] s = slots;
        long t = 0;
        for (int i = 0; i < s.length; i += STRIDE) t += s[i];
        return t;
    }

    /** The count of one vCPU. */
    public long get(int vcpu) {
        long[] s = slots;
        int i = vcpu * STRIDE;
        return i < s.length ? s[i] : 0;
    }
}
