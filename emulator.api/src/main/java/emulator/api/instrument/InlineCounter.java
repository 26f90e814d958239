package emulator.api.instrument;

/**
 * A counter that generated code increments directly, with no callback: one slot per vCPU (no
 * contention, no atomics), summed on demand. Create one per thing counted.
 *
 * <p>The slots are a final array sized for {@value #MAX_VCPUS} vCPUs, so the JIT can keep a block's
 * increments together (one add per block instead of one per instruction); vCPUs beyond that share
 * the last slot, counted with an atomic-free best effort.
 */
public final class InlineCounter {
    /** vCPUs with a slot of their own. */
    public static final int MAX_VCPUS = 256;
    // One cache line (8 longs) per vCPU so that vCPU threads never share a line.
    private static final int STRIDE = 8;
    private final long[] slots = new long[MAX_VCPUS * STRIDE];

    /** Adds {@code n} for vCPU {@code vcpu}; called from generated code on that vCPU's thread. */
    public void add(int vcpu, long n) {
        slots[Math.min(vcpu, MAX_VCPUS - 1) * STRIDE] += n;
    }

    /** The total over every vCPU; exact once the vCPUs are stopped, approximate while they run. */
    public long sum() {
        long t = 0;
        for (int i = 0; i < slots.length; i += STRIDE) t += slots[i];
        return t;
    }

    /** The count of one vCPU. */
    public long get(int vcpu) {
        return slots[Math.min(vcpu, MAX_VCPUS - 1) * STRIDE];
    }
}
