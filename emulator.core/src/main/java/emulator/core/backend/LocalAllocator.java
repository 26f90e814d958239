package emulator.core.backend;

import emulator.core.ir.Inst;
import emulator.core.ir.IrBlock;
import emulator.core.ir.Op;
import emulator.core.ir.Type;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Gives IR temps JVM local slots, reusing a slot once its temp is dead (linear scan over live
 * intervals). A block has hundreds of short-lived temps but few live at once; one local per temp
 * would make ASM's frame computation (and the JIT's) pay for every temp at every instruction.
 * A temp live anywhere inside a loop (a backward branch) stays live over the whole loop.
 */
final class LocalAllocator {
    private LocalAllocator() {}

    /**
     * Fills {@code local[t]} for every temp t (-1 for temps never used), starting at JVM local
     * {@code first}; returns the first local after the temps.
     */
    static int assign(IrBlock b, int[] local, int first) {
        int nt = b.temps.size();
        int[] start = new int[nt], end = new int[nt];
        Arrays.fill(start, Integer.MAX_VALUE);
        Arrays.fill(end, -1);
        var ops = b.ops;
        for (int k = 0; k < ops.size(); k++) {
            Inst i = ops.get(k);
            if (i.isNop()) continue;
            for (int u : i.uses()) { start[u] = Math.min(start[u], k); end[u] = Math.max(end[u], k); }
            if (i.dst >= 0) { start[i.dst] = Math.min(start[i.dst], k); end[i.dst] = Math.max(end[i.dst], k); }
        }
        // Loops: a temp live inside [label, backward branch] is live over all of it.
        int[] labelAt = b.labelPositions();
        for (int k = 0; k < ops.size(); k++) {
            Inst i = ops.get(k);
            if ((i.op == Op.BR || i.op == Op.BRC) && labelAt[(int) i.imm] < k) {
                int lo = labelAt[(int) i.imm], hi = k;
                for (int t = 0; t < nt; t++) {
                    if (end[t] >= lo && start[t] <= hi) { start[t] = Math.min(start[t], lo); end[t] = Math.max(end[t], hi); }
                }
            }
        }
        Integer[] order = new Integer[nt];
        for (int t = 0; t < nt; t++) order[t] = t;
        Arrays.sort(order, (x, y) -> Integer.compare(start[x], start[y]));
        ArrayDeque<Integer> free32 = new ArrayDeque<>(), free64 = new ArrayDeque<>();
        // Active intervals ordered by end.
        java.util.PriorityQueue<int[]> active = new java.util.PriorityQueue<>((x, y) -> Integer.compare(x[0], y[0]));
        int next = first;
        for (int t : order) {
            if (end[t] < 0) { local[t] = -1; continue; }
            while (!active.isEmpty() && active.peek()[0] < start[t]) {
                int[] done = active.poll();
                (done[2] == 1 ? free64 : free32).push(done[1]);
            }
            boolean wide = b.type(t) == Type.I64;
            ArrayDeque<Integer> pool = wide ? free64 : free32;
            int slot;
            if (!pool.isEmpty()) slot = pool.pop();
            else { slot = next; next += wide ? 2 : 1; }
            local[t] = slot;
            active.add(new int[] {end[t], slot, wide ? 1 : 0});
        }
        return next;
    }
}
