package plugin.syscalls.linux;

import plugin.syscalls.linux.decode.Capture;
import plugin.syscalls.linux.decode.Prototypes;
import plugin.syscalls.linux.table.Arch;

/**
 * What the tracer needs to know of one call number before it looks at any argument: its name, its
 * prototype and its traits (the few calls the tracker and the capture treat apart). Made once per
 * (ABI, number) and kept, so that the vCPU thread's work per call is an array load and bit tests,
 * not a hash lookup and a chain of string comparisons: that code runs at every system call, first
 * in the interpreter and then as JIT compilations that compete with the guest's own for the one
 * compiler core.
 */
public final class CallShape {
    /** exit, exit_group: never return. */
    public static final int EXIT = 1;
    /** execve, execveat: a success returns in another address space. */
    public static final int EXEC = 1 << 1;
    /** fork, vfork, clone, clone3: a child returns 0. */
    public static final int FORK = 1 << 2;
    /** rt_sigreturn, sigreturn: return into the interrupted context. */
    public static final int SIGRETURN = 1 << 3;
    /** Results that tell the caller's pid or tid, or a child's: getpid, gettid, set_tid_address and {@link #FORK}. */
    public static final int IDS = 1 << 4;
    /** Calls whose entry the tracker reads facts from (the exec's image, clone's flags). */
    public static final int ENTRY_FACTS = 1 << 5;
    /** readlink, readlinkat: may name the process's own image. */
    public static final int READLINK = 1 << 6;
    /** The capture copies memory at the entry (an argument kind it copies, or a call it treats apart). */
    public static final int CAPTURE_AT_ENTRY = 1 << 7;
    /** The capture copies memory at the return. */
    public static final int CAPTURE_AT_EXIT = 1 << 8;

    public final String name;
    /** The argument kinds, or null for a call the table does not describe. */
    public final Prototypes.Proto proto;
    public final int traits;

    private CallShape(String name, Prototypes.Proto proto, int traits) {
        this.name = name;
        this.proto = proto;
        this.traits = traits;
    }

    private static final int DENSE = 1024;
    /** Per ABI: the shapes of numbers below {@link #DENSE}, filled as calls are met (races fill a slot twice, alike). */
    private static final CallShape[][] DENSE_SHAPES = new CallShape[Arch.values().length][DENSE];

    /**
     * The shape of call {@code nr} of {@code arch}. Numbers past the dense table (ARM's private calls,
     * and whatever a guest puts in the number register) are made afresh each time: they are rare, and
     * a cache of them would grow with every number a guest tries.
     */
    public static CallShape of(Arch arch, long nr) {
        if (nr < 0 || nr >= DENSE) return make(arch, nr);
        CallShape[] shapes = DENSE_SHAPES[arch.ordinal()];
        CallShape s = shapes[(int) nr];
        if (s == null) shapes[(int) nr] = s = make(arch, nr);
        return s;
    }

    private static CallShape make(Arch arch, long nr) {
        String name = arch.name(nr);
        Prototypes.Proto proto = Prototypes.of(name);
        int t = switch (name) {
            case "exit", "exit_group" -> EXIT;
            case "execve", "execveat" -> EXEC | ENTRY_FACTS;
            case "fork", "vfork" -> FORK | IDS;
            case "clone", "clone3" -> FORK | IDS | ENTRY_FACTS;
            case "getpid", "gettid", "set_tid_address" -> IDS;
            case "readlink", "readlinkat" -> READLINK;
            case "rt_sigreturn", "sigreturn" -> SIGRETURN;
            default -> 0;
        };
        if (Capture.readsAtEntry(name, proto)) t |= CAPTURE_AT_ENTRY;
        if (Capture.readsAtExit(name, proto)) t |= CAPTURE_AT_EXIT;
        return new CallShape(name, proto, t);
    }

    public boolean is(int trait) { return (traits & trait) != 0; }
}
