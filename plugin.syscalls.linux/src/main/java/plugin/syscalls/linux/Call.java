package plugin.syscalls.linux;

import emulator.api.GuestMemory;
import java.util.LinkedHashMap;
import java.util.Map;
import plugin.syscalls.linux.decode.Prototypes;
import plugin.syscalls.linux.table.Arch;

/**
 * One system call, from its entry to its result: what the tracer learnt from registers and memory.
 *
 * <p>Two threads share it, one after the other. The {@link CallTracker} fills the raw facts on the
 * vCPU thread (registers, the memory the decoding will need, the result) and hands the call over
 * through the trace writer's queue; the writer then makes the text ({@link #argText}, {@link #result})
 * and the {@link #semantics}. Fields the tracker may still change after handing a call over (its pid
 * and tid, once learnt) travel with each queued operation instead.
 */
public final class Call {
    public final Arch arch;
    public final long asid;
    public final long sp;
    public final long pc;
    public final int vcpu;
    public final long nr;
    public final String name;
    /** The argument kinds, or null for a call the table does not describe. */
    public final Prototypes.Proto proto;
    /** Name, prototype and traits of the number, looked up once per number. */
    public final CallShape shape;
    public final long[] args;
    public final long icountEnter;
    /** Arguments as strace prints them; filled at entry, output arguments at exit; null entries are omitted. */
    public final String[] argText;
    /** Normalized semantics (ARCHITECTURE §4 keys) collected at entry and exit. */
    public final Map<String, Object> semantics = new LinkedHashMap<>();
    public int pid;
    public int tid;
    public long ret;
    public String result;
    public long icountExit;
    public boolean returned;
    /** Decoder state kept from entry to exit (e.g. the input of an in/out structure). */
    public Object entryState;
    /**
     * The child's side of a fork: the return of 0 in the new process. Published as an EXIT event
     * (with the parent's id) so that monitors can bind the child; strace prints no line for it.
     */
    public boolean childSide;

    // ---- raw facts, from the vCPU thread

    /** The entry's semantics are still to be made, from {@link #entryMemory} (no event handler wanted them at the entry). */
    public boolean entrySemanticsPending;
    /** The memory the entry's and the return's decoding read, as it was then (null: none needed). */
    public GuestMemory entryMemory, exitMemory;
    /** The result register's value as the return decodes it (the restart code for a restarted call). */
    public long rawResult;
    /** The result is to be decoded from {@link #rawResult} (false where the tracker set {@link #result} itself). */
    public boolean decodeResult;
    /** The kernel makes the call again (after a signal handler): the result shows the restart code. */
    public boolean restart;
    /** For a fork child's side: the parent's call, whose decoded arguments it shows. */
    public Call forkParent;
    /** execve/execveat: the path as the caller named it; and the image it resolves to ({@code /proc/self/exe}), if another. */
    public String image, resolvedImage;
    /** readlink of {@code /proc/self/exe}: the image the process runs, as the kernel answered. */
    public String ownImage;
    /** A fork-family call that makes a thread of the same process (CLONE_THREAD). */
    public boolean thread;

    public Call(Arch arch, long asid, long sp, long pc, int vcpu, long nr, long[] args, long icountEnter) {
        this.arch = arch;
        this.asid = asid;
        this.sp = sp;
        this.pc = pc;
        this.vcpu = vcpu;
        this.nr = nr;
        this.shape = CallShape.of(arch, nr);
        this.name = shape.name;
        this.proto = shape.proto;
        this.args = args;
        this.icountEnter = icountEnter;
        this.argText = new String[args.length];
    }

    /** {@code name(arg, arg)} as strace prints it. */
    public String callText() {
        return appendCallText(new StringBuilder()).toString();
    }

    /** Appends {@code name(arg, arg)}. */
    public StringBuilder appendCallText(StringBuilder sb) {
        sb.append(name).append('(');
        boolean first = true;
        for (String a : argText) {
            if (a == null) continue;
            if (!first) sb.append(", ");
            sb.append(a);
            first = false;
        }
        return sb.append(')');
    }

    /** The arguments that are printed, in order. */
    public String[] printedArgs() {
        int n = 0;
        for (String a : argText) if (a != null) n++;
        String[] out = new String[n];
        n = 0;
        for (String a : argText) if (a != null) out[n++] = a;
        return out;
    }
}
