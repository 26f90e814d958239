package plugin.syscalls.linux;

import java.util.LinkedHashMap;
import java.util.Map;
import plugin.syscalls.linux.table.Arch;

/** One system call, from its entry to its result: what the tracer learnt from registers and memory. */
public final class Call {
    public final Arch arch;
    public final long asid;
    public final long sp;
    public final long pc;
    public final int vcpu;
    public final long nr;
    public final String name;
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

    public Call(Arch arch, long asid, long sp, long pc, int vcpu, long nr, long[] args, long icountEnter) {
        this.arch = arch;
        this.asid = asid;
        this.sp = sp;
        this.pc = pc;
        this.vcpu = vcpu;
        this.nr = nr;
        this.name = arch.name(nr);
        this.args = args;
        this.icountEnter = icountEnter;
        this.argText = new String[args.length];
    }

    /** {@code name(arg, arg)} as strace prints it. */
    public String callText() {
        StringBuilder sb = new StringBuilder(name).append('(');
        boolean first = true;
        for (String a : argText) {
            if (a == null) continue;
            if (!first) sb.append(", ");
            sb.append(a);
            first = false;
        }
        return sb.append(')').toString();
    }

    /** The arguments that are printed, in order. */
    public String[] printedArgs() {
        return java.util.Arrays.stream(argText).filter(java.util.Objects::nonNull).toArray(String[]::new);
    }
}
