package plugin.processes;

import emulator.api.event.EventView;
import emulator.api.event.SyscallCall;
import emulator.api.event.SyscallCallPairing;

import emulator.api.event.Keys;
import emulator.api.event.Topics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.event.Event;

/**
 * The process monitor's state machine, with no OSGi in it: the tree of processes and threads built
 * from the normalized {@code process.*} properties of syscall events, and the binding of each pid to
 * its address spaces. Not thread-safe: the component serializes calls.
 */
public final class ProcessTree {
    private final ProcessOutput out;
    private final SyscallCallPairing pairing = new SyscallCallPairing();
    /** Every process and thread ever seen, in order of first sight. */
    private final List<ProcessNode> all = new ArrayList<>();
    /** The live (or last) node for each id; a reused pid gets a new node. */
    private final Map<Integer, ProcessNode> byId = new HashMap<>();
    private final Map<Long, Integer> asidToPid = new HashMap<>();
    /**
     * For OS plugins that cannot name the pid of an event (whole-system mode): children whose parent's
     * fork returned but whose own address space we have not seen yet, and address spaces that returned
     * 0 from fork before their parent's fork returned. Matched first-in, first-out.
     */
    private final ArrayDeque<Integer> childrenWithoutAsid = new ArrayDeque<>();
    private final ArrayDeque<Long> asidsWithoutPid = new ArrayDeque<>();
    private long maxIcount, unattributed, seq;
    /**
     * The node the last event confirmed and the address space it confirmed bound to it: most events
     * repeat both, and then there is nothing to learn. Dropped whenever a node is made or a binding changes.
     */
    private ProcessNode lastKnown;
    private long lastKnownAsid;

    public ProcessTree(ProcessOutput out) { this.out = out; }

    public void accept(Event event) {
        SyscallCall c = pairing.accept(event.getTopic(), new EventView(event));
        if (c == null) return;
        maxIcount = Math.max(maxIcount, c.icount());
        String op = c.string(Keys.PROCESS_OP);
        Long ret = c.number(Keys.RET);
        boolean childSideOfFork = "fork".equals(op) && c.completed() && ret != null && ret == 0;
        Integer pid = resolvePid(c, childSideOfFork);
        if (pid == null) {
            if (!childSideOfFork) unattributed++;
            return;
        }
        if (op == null) {
            known(pid, c);
            return;
        }
        switch (op) {
            case "fork" -> {
                if (!c.completed() || c.failed()) return;
                if (childSideOfFork) childReturned(pid, c);
                else parentReturned(pid, c);
            }
            case "exec" -> { if (c.completed()) exec(pid, c); }
            case "exit" -> exit(pid, c);
            case "image" -> {
                // the process said which image it runs: the first process, whose exec nobody saw, learns it so
                ProcessNode n = known(pid, c);
                String image = c.string(Keys.PROCESS_IMAGE);
                if (c.completed() && !c.failed() && image != null && n.image == null) {
                    n.image = image;
                    out.jsonRecord(record("image", n, c));
                }
            }
            default -> known(pid, c);
        }
    }

    private Integer resolvePid(SyscallCall c, boolean childSideOfFork) {
        Integer pid = c.integer(Keys.PID);
        if (pid != null) return pid;
        Long asid = c.number(Keys.ASID);
        if (asid == null) return null;
        Integer bound = asidToPid.get(asid);
        if (bound != null || !childSideOfFork) return bound;
        if (!childrenWithoutAsid.isEmpty()) {
            int child = childrenWithoutAsid.poll();
            asidToPid.put(asid, child);
            lastKnown = null;
            return child;
        }
        asidsWithoutPid.add(asid);
        return null;
    }

    /** The node of a process we meet in mid-run (tracing started after it was created). */
    private ProcessNode known(int pid, SyscallCall c) {
        Long asid = c.number(Keys.ASID);
        ProcessNode last = lastKnown;
        // bound already (node current for its pid, asid in its set and mapped to it): binding again would change nothing
        if (last != null && asid != null && last.pid == pid && lastKnownAsid == asid) return last;
        if (asid != null) bind(pid, asid, c);
        ProcessNode n = byId.get(pid);
        if (n != null) {
            if (asid != null) {
                // bind found this node: asid is in its set now and mapped to pid
                lastKnown = n;
                lastKnownAsid = asid;
            }
            return n;
        }
        // a new node's address space is bound at its next event, as before: not remembered as bound yet
        n = newNode(pid, c);
        n.ppid = c.integer(Keys.PPID);
        announce(n, c);
        return n;
    }

    private void childReturned(int pid, SyscallCall c) {
        boolean thread = Boolean.TRUE.equals(c.bool(Keys.PROCESS_THREAD));
        Integer tid = c.integer(Keys.TID);
        int id = thread && tid != null ? tid : pid;
        ProcessNode n = byId.get(id);
        if (n == null || n.exited && n.createSeen) {
            n = newNode(id, c);
            n.thread = thread;
            n.ppid = thread ? Integer.valueOf(pid) : c.integer(Keys.PPID);
            n.childSideSeen = true;
            inheritImage(n);
            if (!thread) bindAsid(id, c);
            announce(n, c);
        } else {
            n.childSideSeen = true;
            if (!thread) bindAsid(id, c);
        }
    }

    private void parentReturned(int pid, SyscallCall c) {
        ProcessNode parent = known(pid, c);
        Long ret = c.number(Keys.RET);
        Integer child = c.integer(Keys.PROCESS_CHILD);
        if (child == null && ret != null && ret > 0) child = ret.intValue();
        if (child == null) return;
        boolean thread = Boolean.TRUE.equals(c.bool(Keys.PROCESS_THREAD));
        ProcessNode n = byId.get(child);
        // The child may have run (even exited) before its parent's fork returned: complete that node.
        boolean sameChild = n != null && !n.createSeen && (!n.exited || n.childSideSeen);
        if (!sameChild) n = newNode(child, c);
        n.createSeen = true;
        n.thread = thread;
        n.ppid = pid;
        inheritImage(n);
        n.createdIcount = n.createdIcount < 0 ? c.icount() : Math.min(n.createdIcount, c.icount());
        if (sameChild) {
            out.jsonRecord(record("parent", n, c));
        } else {
            announce(n, c);
        }
        if (!thread && c.integer(Keys.PID) == null) {
            if (!asidsWithoutPid.isEmpty()) bind(child, asidsWithoutPid.poll(), c);
            else childrenWithoutAsid.add(child);
        }
    }

    /** A forked child runs its parent's image, with its parent's argv, until it execs. */
    private void inheritImage(ProcessNode n) {
        if (!n.execs.isEmpty() || n.ppid == null) return;
        ProcessNode parent = byId.get(n.ppid);
        if (parent == null || parent == n) return;
        if (n.image == null) n.image = parent.image;
        if (n.argv.isEmpty()) n.argv = parent.argv;
    }

    private void exec(int pid, SyscallCall c) {
        boolean firstSight = !byId.containsKey(pid);
        ProcessNode n = known(pid, c);
        // A process first met at its exec is seen from the start of its program (the run's first process).
        if (firstSight && !c.failed()) n.startSeen = true;
        String image = c.string(Keys.PROCESS_IMAGE);
        List<String> argv = argv(c);
        if (c.failed()) {
            Map<String, Object> rec = record("exec", n, c);
            rec.put("image", image);
            rec.put("argv", argv.toArray(String[]::new));
            out.jsonRecord(rec);
            return;
        }
        n.image = image;
        n.argv = argv;
        n.execs.add(new ProcessNode.Exec(c.icount(), image, argv));
        bindAsid(pid, c);
        Map<String, Object> rec = record("exec", n, c);
        out.jsonRecord(rec);
        out.publish(Topics.PROCESS_EXEC, properties(n, c));
    }

    private void exit(int pid, SyscallCall c) {
        Integer tid = c.integer(Keys.TID);
        boolean threadOnly = Boolean.TRUE.equals(c.bool(Keys.PROCESS_THREAD)) || tid != null && tid != pid;
        ProcessNode n = threadOnly && tid != null ? byId.get(tid) : known(pid, c);
        if (n == null || n.exited) return;    // the second report of one exit (ENTER, then a completed EXIT)
        Integer status = c.integer(Keys.PROCESS_STATUS);
        finish(n, status, c);
        if (!threadOnly) {
            for (ProcessNode t : all) if (t.thread && !t.exited && Integer.valueOf(pid).equals(t.ppid)) finish(t, status, c);
        }
    }

    private void finish(ProcessNode n, Integer status, SyscallCall c) {
        n.exited = true;
        n.status = status;
        n.exitIcount = c.icount();
        out.jsonRecord(record("exit", n, c));
        out.publish(Topics.PROCESS_EXIT, properties(n, c));
    }

    private ProcessNode newNode(int id, SyscallCall c) {
        lastKnown = null;
        ProcessNode n = new ProcessNode(id, all.size());
        n.createdIcount = c.icount();
        all.add(n);
        byId.put(id, n);
        return n;
    }

    private void announce(ProcessNode n, SyscallCall c) {
        out.jsonRecord(record("create", n, c));
        out.publish(Topics.PROCESS_CREATE, properties(n, c));
    }

    private void bindAsid(int pid, SyscallCall c) {
        Long asid = c.number(Keys.ASID);
        if (asid != null) bind(pid, asid, c);
    }

    private void bind(int pid, long asid, SyscallCall c) {
        lastKnown = null;
        ProcessNode n = byId.get(pid);
        if (n != null && n.asids.add(asid) && n.asids.size() > 1) out.jsonRecord(record("asid", n, c));
        asidToPid.put(asid, pid);
    }

    private static List<String> argv(SyscallCall c) {
        return c.get(Keys.PROCESS_ARGV) instanceof String[] a ? List.of(a) : List.of();
    }

    private Map<String, Object> record(String op, ProcessNode n, SyscallCall c) {
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("seq", ++seq);
        rec.put("icount", c.number(Keys.ICOUNT));
        rec.put("op", op);
        rec.put("pid", n.pid);
        rec.put("ppid", n.ppid);
        rec.put("thread", n.thread);
        rec.put("asid", c.number(Keys.ASID));
        rec.put("image", n.image);
        rec.put("argv", n.argv.toArray(String[]::new));
        if (n.exited) rec.put("status", n.status);
        if (op.equals("create")) rec.put("found", !n.createSeen && !n.childSideSeen && !n.startSeen);
        if (op.equals("exec")) {
            rec.put("result", c.number(Keys.RET));
            rec.put("ok", !c.failed());
            // the path as the caller named it, where the OS plugin resolved it (e.g. /proc/self/exe)
            if (c.string(Keys.PROCESS_IMAGE_NAMED) != null) rec.put("imageNamed", c.string(Keys.PROCESS_IMAGE_NAMED));
        }
        return rec;
    }

    private static Map<String, Object> properties(ProcessNode n, SyscallCall c) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(Keys.PID, n.pid);
        if (n.ppid != null) p.put(Keys.PPID, n.ppid);
        p.put(Keys.PROCESS_THREAD, n.thread);
        Long asid = c.number(Keys.ASID);
        if (asid != null) p.put(Keys.ASID, asid);
        Long icount = c.number(Keys.ICOUNT);
        if (icount != null) p.put(Keys.ICOUNT, icount);
        if (n.image != null) p.put(Keys.PROCESS_IMAGE, n.image);
        p.put(Keys.PROCESS_ARGV, n.argv.toArray(String[]::new));
        if (n.status != null) p.put(Keys.PROCESS_STATUS, n.status);
        return p;
    }

    // ---- queries ----

    /** Every process and thread ever seen, in order of first sight. */
    List<ProcessNode> nodes() { return List.copyOf(all); }

    long maxIcount() { return maxIcount; }

    /** Events whose process could not be named (no pid and an address space not bound yet). */
    long unattributed() { return unattributed; }

    /** Gogo proc:ps — one line per process and thread. */
    public List<String> ps() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%7s %7s %-7s %-12s %-16s %s", "PID", "PPID", "KIND", "STATE", "IMAGE", "ARGV"));
        for (ProcessNode n : all) {
            lines.add(String.format("%7d %7s %-7s %-12s %-16s %s", n.pid, n.ppid == null ? "?" : n.ppid,
                    n.thread ? "thread" : "process", n.exited ? "exit " + (n.status == null ? "?" : n.status) : "running",
                    n.imageName(), String.join(" ", n.argv)));
        }
        if (unattributed > 0) lines.add(unattributed + " event(s) of processes not bound to a pid yet");
        return lines;
    }

    /** Gogo proc:tree — the tree, children indented under their parent. */
    public List<String> tree() {
        List<String> lines = new ArrayList<>();
        for (ProcessNode n : all) if (parentOf(n) == null) tree(n, "", lines);
        return lines;
    }

    private void tree(ProcessNode n, String indent, List<String> lines) {
        lines.add(indent + n.pid + (n.thread ? " (thread)" : "") + " " + n.imageName()
                + (n.argv.isEmpty() ? "" : " " + Arrays.toString(n.argv.toArray()))
                + (n.exited ? " exit " + (n.status == null ? "?" : n.status) : ""));
        for (ProcessNode k : all) if (parentOf(k) == n) tree(k, indent + "  ", lines);
    }

    /** The node that created {@code n}: the newest node of its parent pid first seen before it (else after it). */
    ProcessNode parentOf(ProcessNode n) {
        if (n.ppid == null) return null;
        ProcessNode before = null, after = null;
        for (ProcessNode p : all) {
            if (p == n || p.thread || p.pid != n.ppid) continue;
            if (p.order < n.order) before = p;
            else if (after == null) after = p;
        }
        return before != null ? before : after;
    }
}
