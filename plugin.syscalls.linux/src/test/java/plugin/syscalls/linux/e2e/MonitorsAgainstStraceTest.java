// In the tracer's package (kept in the e2e folder) so that it calls the package's test harnesses
// (GuestHarness, StraceAgreementTest's native runner, StraceLog, TracingCostTest's monitor factory)
// instead of copying them.
package plugin.syscalls.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import emulator.api.instrument.AddressSpaceFilter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventHandler;
import plugin.syscalls.linux.Scratch;
import plugin.syscalls.linux.e2e.JsonLines;

/**
 * Issue 7's acceptance: busybox command lines that start processes and use files, run natively under
 * {@code strace -f} in a chroot and on the emulator with the three plugins (this tracer feeding
 * plugin.files and plugin.processes through a synchronous EventAdmin stand-in, in order). The process
 * tree the monitor wrote (parents, images, argv, exit statuses; pids mapped by order of creation) and
 * the file log's opens and per-file byte counts must equal what the native strace shows. The native
 * side is read from strace's own lines with an fd table of this test's (opens, dups, pipes, fork).
 */
class MonitorsAgainstStraceTest {
    static final String B = "/bin/busybox";
    static final List<String> LINES = List.of(
            B + " cat f.txt | " + B + " sort | " + B + " wc -l",
            B + " sort f.txt > /tmp/s; " + B + " cat /tmp/s",
            "(" + B + " cat f.txt; echo x) > /tmp/o; " + B + " wc -c /tmp/o",
            "echo $(" + B + " cat f.txt) | " + B + " grep one",
            B + " gzip -c f.txt > /tmp/z; " + B + " gzip -dc /tmp/z | " + B + " wc -c",
            B + " tar cf /tmp/t.tar f.txt; " + B + " tar tf /tmp/t.tar",
            B + " cat nosuch 2>/dev/null; echo $?");

    /** A difference the environment explains: counted and printed, never skipped silently. */
    record Rule(String name, String why) {}

    static final Rule FIRST_IMAGE = new Rule("first-image",
            "the first process is started by the loader natively by strace's execve: no guest instruction calls exec in the emulator,"
                    + " so the monitor cannot know its image and argv");
    static final Rule STRACE_TRUNCATES = new Rule("strace-truncates",
            "strace prints at most 32 characters of a string (the native runner sets no -s): a truncated native argument is compared as a prefix");
    static final String TRUNCATED = "\u2026";
    static final Map<Rule, Integer> explained = new LinkedHashMap<>();

    @Test
    void processTreeAndFileLogEqualNativeStrace() throws Exception {
        Path bb = Path.of(System.getProperty("user.home"), ".cache/abiscope/guests/amd64/busybox/busybox");
        assumeTrue(Files.isRegularFile(bb), "busybox-static amd64 missing: run emulator.linuxuser/scripts/fetch-busybox.sh amd64");
        assumeTrue(StraceAgreementTest.nativeTracingWorks(), "native reference needs root, unshare, chroot and strace");
        List<String> failures = new ArrayList<>();
        int processes = 0, opens = 0, files = 0;
        for (String line : LINES) {
            List<String> argv = List.of(B, "sh", "-c", line);
            Path nroot = StraceAgreementTest.freshRoot(bb), eroot = StraceAgreementTest.freshRoot(bb);
            Path out = Scratch.file("e2e-strace", ".txt");
            StraceAgreementTest.runNative(nroot, out, argv, "amd64");
            Native nat = Native.read(StraceLog.parse(StraceAgreementTest.cutAtBusybox(Files.readAllLines(out, StandardCharsets.UTF_8))));
            Path dir = Scratch.dir("e2e-trace");
            Emulated emu = Emulated.run(eroot, argv, dir);
            List<String> diffs = new ArrayList<>();
            compareTrees(nat, emu, diffs);
            compareOpens(nat, emu, diffs);
            compareBytes(nat, emu, diffs);
            processes += nat.order.size();
            opens += nat.opens.size();
            files += nat.bytes.size();
            System.out.printf("e2e %-70s processes %d/%d opens %d/%d files %d/%d differences %d%n", line, nat.order.size(), emu.order.size(),
                    nat.opens.size(), emu.opens.size(), nat.bytes.size(), emu.bytes.size(), diffs.size());
            for (String d : diffs) failures.add(line + ": " + d);
        }
        explained.forEach((r, n) -> System.out.println("explained " + n + "x [" + r.name() + "] " + r.why()));
        System.out.println("e2e totals: processes " + processes + ", named opens " + opens + ", files with byte counts " + files);
        failures.forEach(f -> System.out.println("DIFFERENCE " + f));
        assertTrue(failures.isEmpty(), failures.size() + " differences:\n" + String.join("\n", failures));
        assertTrue(processes >= 15 && opens >= 8, "the suite must start processes and open files");
    }

    /**
     * Both monitors stopped and restarted (deactivate, new component object, as SCR does) many times
     * during one run, always between calls. Held to an uninterrupted pair fed the same events: every
     * operation that completed while the restarted pair was active is in its files.jsonl and
     * processes.jsonl, with the same handle, and a path only where it names the same one.
     */
    @Test
    void restartingLosesNothingCompletedWhileActive() throws Exception {
        Path bb = Path.of(System.getProperty("user.home"), ".cache/abiscope/guests/amd64/busybox/busybox");
        assumeTrue(Files.isRegularFile(bb), "busybox-static amd64 missing");
        Path root = StraceAgreementTest.freshRoot(bb);
        List<String> argv = List.of(B, "sh", "-c", "i=0; while [ $i -lt 25 ]; do i=$((i+1)); echo $i > /tmp/n; "
                + B + " cat /tmp/n f.txt >> /tmp/m; done; " + B + " wc -l /tmp/m");
        Path refDir = Scratch.dir("e2e-ref"), togDir = Scratch.dir("e2e-toggled");
        Monitors ref = new Monitors(refDir), tog = new Monitors(togDir);
        java.util.Set<String> activeCalls = new java.util.HashSet<>();
        int[] restarts = {0};
        Tracer.EventPublisher both = new Tracer.EventPublisher() {
            final Map<Object, Integer> pending = new HashMap<>();
            boolean on = true;
            int sinceSwitch;

            @Override public synchronized void post(String topic, Map<String, Object> props) {
                Event e = new Event(topic, props);
                ref.deliver(e);
                if (on) {
                    tog.deliver(e);
                    activeCalls.add(e.getProperty(emulator.api.event.Keys.PID) + "@" + e.getProperty(emulator.api.event.Keys.ICOUNT));
                }
                // a call is pending per process (the guests here are single-threaded); a call made before the
                // tracer bound the address space to a pid is known by its address space until its exit names it
                Object pid = e.getProperty(emulator.api.event.Keys.PID), asid = "asid " + e.getProperty(emulator.api.event.Keys.ASID);
                boolean neverReturns = "exit".equals(e.getProperty(emulator.api.event.Keys.PROCESS_OP));
                if (topic.equals(emulator.api.event.Topics.SYSCALL_ENTER) && !neverReturns) pending.merge(pid != null ? pid : asid, 1, Integer::sum);
                if (topic.equals(emulator.api.event.Topics.SYSCALL_EXIT)) {
                    if (pending.getOrDefault(asid, 0) > 0) pending.merge(asid, -1, Integer::sum);
                    else if (pid != null && pending.getOrDefault(pid, 0) > 0) pending.merge(pid, -1, Integer::sum);
                }
                sinceSwitch++;
                // switch only where no call is half-seen: every call is then wholly in an active window or wholly outside
                if (pending.values().stream().allMatch(v -> v <= 0) && sinceSwitch >= (on ? 37 : 11)) {
                    try {
                        if (on) tog.stop(); else { tog.start(); restarts[0]++; }
                    } catch (Exception x) { throw new AssertionError(x); }
                    on = !on;
                    sinceSwitch = 0;
                }
            }
        };
        GuestHarness.Result r;
        try (Tracer tracer = new Tracer(new Tracer.Settings(refDir, false, false, 32, new String[0], new String[0], AddressSpaceFilter.ALL), both)) {
            r = GuestHarness.run(root, "x86_64", argv, tracer, new byte[0]);
        }
        ref.stop();
        tog.stop();
        assertEquals(0, r.exit(), r.err());
        assertTrue(restarts[0] >= 5, "the monitors must be restarted several times during the run: " + restarts[0]);
        for (String log : List.of("files.jsonl", "processes.jsonl")) {
            List<Map<String, Object>> want = JsonLines.read(refDir.resolve(log)), got = JsonLines.read(togDir.resolve(log));
            Map<String, Map<String, Object>> gotByKey = new HashMap<>();
            for (Map<String, Object> g : got) if (g.get("op") != null) gotByKey.put(key(g), g);
            int expected = 0, found = 0, unnamed = 0;
            for (Map<String, Object> w : want) {
                if (w.get("op") == null || !activeCalls.contains(w.get("pid") + "@" + w.get("icount"))) continue;
                if (log.startsWith("processes") && !List.of("exec", "exit").contains(w.get("op"))) continue; // create records name the child
                expected++;
                Map<String, Object> g = gotByKey.get(key(w));
                assertTrue(g != null, log + ": an operation completed while the monitor was active is missing: " + w);
                found++;
                for (String f : List.of("path", "image")) {
                    if (g.get(f) == null && w.get(f) != null) { unnamed++; continue; }
                    assertEquals(w.get(f), g.get(f), log + ": a " + f + " named after a restart must be the right one: " + g + " vs " + w);
                }
            }
            long extra = got.stream().filter(g -> g.get("op") != null).count() - found;
            System.out.printf("restart %s: %d restarts, %d operations completed while active, all %d logged; %d with the path/image unknown after a restart;"
                    + " %d further records (creates, or ops of calls the toggled pair saw only in part)%n", log, restarts[0], expected, found, unnamed, extra);
            assertTrue(expected >= (log.startsWith("files") ? 100 : 20), log + ": the run must exercise the restarted monitor (" + expected + ")");
        }
    }

    /** What identifies one logged operation across the two monitors. */
    static String key(Map<String, Object> rec) {
        return rec.get("op") + " " + rec.get("pid") + " " + rec.get("tid") + " " + rec.get("icount") + " " + rec.get("handle") + " " + rec.get("copyTo");
    }

    // ---- the comparison ----

    /**
     * Pids are mapped by order of creation as each parent sees it: the k-th child its forks created.
     * (The order across parents is scheduling: in a pipeline, which side forks first differs from run
     * to run natively too.) A process is named by its path from the first: "p", "p.0", "p.0.1".
     */
    static Map<Integer, String> names(Map<Integer, Proc> procs, List<Integer> order) {
        Map<Integer, String> names = new HashMap<>();
        Map<Integer, Integer> children = new HashMap<>();
        for (int pid : order) {
            Integer parent = procs.get(pid).parent;
            if (parent == null || !names.containsKey(parent)) { names.put(pid, names.isEmpty() ? "p" : "orphan" + pid); continue; }
            int k = children.merge(parent, 1, Integer::sum) - 1;
            names.put(pid, names.get(parent) + "." + k);
        }
        return names;
    }

    static void compareTrees(Native n, Emulated e, List<String> diffs) {
        Map<Integer, String> nn = names(n.procs, n.order), en = names(e.procs, e.order);
        Map<String, Proc> a = new TreeMap<>(), b = new TreeMap<>();
        n.procs.forEach((pid, p) -> a.put(nn.get(pid), p));
        e.procs.forEach((pid, p) -> b.put(en.get(pid), p));
        if (!a.keySet().equals(b.keySet())) {
            diffs.add("process tree: native " + a.keySet() + " emulated " + b.keySet());
            return;
        }
        for (String k : a.keySet()) {
            Proc x = a.get(k), y = b.get(k);
            if (x.execs == 0 && !x.firstExec.isEmpty() && y.argv.isEmpty()) {
                // the first process's argv, or one inherited from it by fork: the monitor never saw an exec that names it
                explained.merge(FIRST_IMAGE, 1, Integer::sum);
                if (y.image != null && !Objects.equals(x.image, y.image)) diffs.add(k + " image: native " + x.image + " emulated " + y.image);
            } else {
                if (!Objects.equals(x.image, y.image)) diffs.add(k + " image: native " + x.image + " emulated " + y.image);
                if (!argvAgree(x.argv, y.argv)) diffs.add(k + " argv: native " + x.argv + " emulated " + y.argv);
            }
            if (!Objects.equals(x.status, y.status)) diffs.add(k + " exit status: native " + x.status + " emulated " + y.status);
        }
    }

    /** strace prints at most 32 characters of a string (the native runner asks for no more): such an argument is a prefix. */
    static boolean argvAgree(List<String> nat, List<String> emu) {
        if (nat.size() != emu.size()) return false;
        for (int i = 0; i < nat.size(); i++) {
            String x = nat.get(i), y = emu.get(i);
            if (x.endsWith(TRUNCATED) && y.startsWith(x.substring(0, x.length() - 1)) && y.length() > x.length() - 1) {
                explained.merge(STRACE_TRUNCATES, 1, Integer::sum);
            } else if (!x.equals(y)) return false;
        }
        return true;
    }

    static void compareOpens(Native n, Emulated e, List<String> diffs) {
        Map<String, List<String>> a = opensByName(n.opens, names(n.procs, n.order)), b = opensByName(e.opens, names(e.procs, e.order));
        if (!a.equals(b)) diffs.add("opens: native " + a + " emulated " + b);
    }

    static Map<String, List<String>> opensByName(List<String> opens, Map<Integer, String> names) {
        Map<String, List<String>> m = new TreeMap<>();
        for (String o : opens) {
            int sp = o.indexOf(' ');
            m.computeIfAbsent(names.get(Integer.parseInt(o.substring(0, sp))), k -> new ArrayList<>()).add(o.substring(sp + 1));
        }
        return m;
    }

    static void compareBytes(Native n, Emulated e, List<String> diffs) {
        if (!n.bytes.equals(e.bytes)) diffs.add("bytes per file (read/written): native " + n.bytes + " emulated " + e.bytes);
    }

    /** One process: its parent, last image and argv, exit status. */
    static final class Proc {
        Integer parent;
        String image;
        List<String> argv = List.of();
        Integer status;
        int execs;
        /** Native only: the image and argv the first process was started with, inherited by forks until they exec. */
        List<String> firstExec = List.of();
    }

    // ---- the native side, from strace's lines ----

    static final class Native {
        final Map<Integer, Proc> procs = new HashMap<>();
        final List<Integer> order = new ArrayList<>();
        /** "pid path access ok|error", in order per the run. */
        final List<String> opens = new ArrayList<>();
        /** path -> [bytes read, bytes written], for files opened by name. */
        final Map<String, List<Long>> bytes = new TreeMap<>();
        private final Map<Integer, Map<Long, String>> fds = new HashMap<>();

        static Native read(StraceLog log) {
            Native n = new Native();
            // processes are created in the order their fork returned; strace -f lists a pid when it first runs
            List<int[]> forks = new ArrayList<>();
            for (var en : log.byPid.entrySet()) for (StraceLog.Line l : en.getValue()) {
                if (l.name().matches("clone3?|v?fork") && l.result().matches("\\d+")) forks.add(new int[] {en.getKey(), Integer.parseInt(l.result())});
            }
            int first = log.byPid.keySet().iterator().next();
            n.proc(first, null);
            n.procs.get(first).execs = -1; // its execve is the start of the run (strace's chroot execs busybox), not one of its own
            // process in a causal order: a child's lines after its parent's (per-pid lists keep each process's order)
            List<Integer> done = new ArrayList<>();
            walk(n, log, first, done);
            for (var ex : log.exits.entrySet()) {
                Matcher m = Pattern.compile("\\+\\+\\+ exited with (\\d+) \\+\\+\\+").matcher(String.join(" ", ex.getValue()));
                if (m.find() && n.procs.containsKey(ex.getKey())) n.procs.get(ex.getKey()).status = Integer.parseInt(m.group(1));
            }
            return n;
        }

        private static void walk(Native n, StraceLog log, int pid, List<Integer> done) {
            done.add(pid);
            for (StraceLog.Line l : log.byPid.getOrDefault(pid, List.of())) {
                n.line(pid, l);
                if (l.name().matches("clone3?|v?fork") && l.result().matches("\\d+")) walk(n, log, Integer.parseInt(l.result()), done);
            }
        }

        private void proc(int pid, Integer parent) {
            Proc p = new Proc();
            p.parent = parent;
            Proc pp = parent == null ? null : procs.get(parent);
            if (pp != null) { p.image = pp.image; p.argv = pp.argv; p.firstExec = pp.execs == 0 ? pp.firstExec : List.of(); }
            procs.put(pid, p);
            order.add(pid);
            fds.put(pid, parent == null ? new HashMap<>() : new HashMap<>(fds.get(parent)));
        }

        private void line(int pid, StraceLog.Line l) {
            List<String> a = splitArgs(l.args());
            Map<Long, String> t = fds.get(pid);
            long r = l.result().matches("-?\\d+( .*)?") ? Long.parseLong(l.result().split(" ")[0]) : Long.MIN_VALUE;
            switch (l.name()) {
                case "clone", "clone3", "fork", "vfork" -> { if (r > 0) proc((int) r, pid); }
                case "execve" -> {
                    if (r == 0) {
                        Proc p = procs.get(pid);
                        p.image = unquote(a.get(0));
                        p.argv = splitArgs(a.get(1).substring(1, a.get(1).length() - 1)).stream().map(Native::unquote).toList();
                        if (p.parent == null && p.execs == -1) p.firstExec = p.argv;
                        p.execs++;
                    }
                }
                case "open", "openat", "creat" -> {
                    int k = l.name().equals("openat") ? 1 : 0;
                    String path = unquote(a.get(k));
                    String flags = l.name().equals("creat") ? "O_WRONLY" : a.get(k + 1);
                    String access = flags.contains("O_RDWR") ? "READ_WRITE" : flags.contains("O_WRONLY") ? "WRITE" : "READ";
                    opens.add(pid + " " + path + " " + access + " " + (r >= 0 ? "ok" : "error"));
                    if (r >= 0) t.put(r, path);
                }
                case "pipe", "pipe2" -> {
                    if (r == 0) for (String end : splitArgs(a.get(0).substring(1, a.get(0).length() - 1))) t.put(Long.parseLong(end), null);
                }
                case "dup" -> { if (r >= 0) t.put(r, t.get(Long.parseLong(a.get(0)))); }
                case "dup2", "dup3" -> { if (r >= 0) t.put(r, t.get(Long.parseLong(a.get(0)))); }
                case "fcntl" -> { if (a.get(1).startsWith("F_DUPFD") && r >= 0) t.put(r, t.get(Long.parseLong(a.get(0)))); }
                case "close" -> t.remove(Long.parseLong(a.get(0)));
                case "read", "pread64", "readv" -> count(t.get(Long.parseLong(a.get(0))), r, 0);
                case "write", "pwrite64", "writev" -> count(t.get(Long.parseLong(a.get(0))), r, 1);
                case "sendfile", "sendfile64" -> {
                    count(t.get(Long.parseLong(a.get(1))), r, 0);
                    count(t.get(Long.parseLong(a.get(0))), r, 1);
                }
                default -> { }
            }
        }

        private void count(String path, long r, int which) {
            if (path == null || r <= 0) return;
            List<Long> v = bytes.computeIfAbsent(path, p -> new ArrayList<>(List.of(0L, 0L)));
            v.set(which, v.get(which) + r);
        }

        static String unquote(String s) {
            s = s.strip();
            String mark = "";
            if (s.endsWith("...")) { s = s.substring(0, s.length() - 3); mark = TRUNCATED; }
            return (s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\") : s) + mark;
        }

        /** Top-level comma-separated arguments (quotes, brackets and braces nest). */
        static List<String> splitArgs(String s) {
            List<String> out = new ArrayList<>();
            int depth = 0, start = 0;
            boolean q = false;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (q) { if (c == '\\') i++; else if (c == '"') q = false; continue; }
                if (c == '"') q = true;
                else if (c == '[' || c == '{' || c == '(') depth++;
                else if (c == ']' || c == '}' || c == ')') depth--;
                else if (c == ',' && depth == 0) { out.add(s.substring(start, i).strip()); start = i + 1; }
            }
            if (!s.isBlank()) out.add(s.substring(start).strip());
            return out;
        }
    }

    // ---- the emulated side, from what the monitors wrote ----

    static final class Emulated {
        final Map<Integer, Proc> procs = new HashMap<>();
        final List<Integer> order = new ArrayList<>();
        final List<String> opens = new ArrayList<>();
        final Map<String, List<Long>> bytes = new TreeMap<>();

        static Emulated run(Path root, List<String> argv, Path dir) throws Exception {
            Monitors m = new Monitors(dir);
            try (Tracer tracer = new Tracer(new Tracer.Settings(dir, true, true, 32, new String[0], new String[0], AddressSpaceFilter.ALL), m::deliver)) {
                GuestHarness.run(root, "x86_64", argv, tracer, new byte[0]);
            }
            m.stop();
            return read(dir);
        }

        static Emulated read(Path dir) throws Exception {
            Emulated e = new Emulated();
            for (Map<String, Object> r : JsonLines.read(dir.resolve("processes.jsonl"))) {
                if (!(r.get("pid") instanceof Long pid)) continue;
                int p = pid.intValue();
                Proc n = e.procs.computeIfAbsent(p, k -> { e.order.add(k); return new Proc(); });
                if (r.get("ppid") instanceof Long pp && !Boolean.TRUE.equals(r.get("thread"))) n.parent = pp.intValue();
                if ("exec".equals(r.get("op")) && Boolean.TRUE.equals(r.get("ok")) || r.get("image") != null) {
                    n.image = (String) r.get("image");
                    n.argv = ((List<?>) r.get("argv")).stream().map(String::valueOf).toList();
                }
                if ("exit".equals(r.get("op")) && r.get("status") instanceof Long s) n.status = s.intValue();
            }
            for (Map<String, Object> r : JsonLines.read(dir.resolve("files.jsonl"))) {
                Object op = r.get("op"), path = r.get("path");
                if (!(r.get("pid") instanceof Long pid)) continue;
                if ("open".equals(op) && !Boolean.TRUE.equals(r.get("anonymous"))) {
                    e.opens.add(pid + " " + path + " " + r.get("mode") + " " + (Boolean.TRUE.equals(r.get("ok")) ? "ok" : "error"));
                } else if (("read".equals(op) || "write".equals(op)) && path instanceof String p && !p.startsWith("<")
                        && r.get("result") instanceof Long n && n > 0) {
                    List<Long> v = e.bytes.computeIfAbsent(p, k -> new ArrayList<>(List.of(0L, 0L)));
                    int w = "read".equals(op) ? 0 : 1;
                    v.set(w, v.get(w) + n);
                }
            }
            return e;
        }
    }

    /**
     * The two monitors behind a synchronous EventAdmin stand-in: each tracer event is delivered to
     * plugin.files' then plugin.processes' handler, in order, before the guest goes on.
     */
    static final class Monitors {
        final Path dir;
        EventHandler files, procs;
        final EventAdmin admin = new EventAdmin() {
            // the monitors subscribe to abiscope/syscall/*; what they publish themselves goes nowhere here
            @Override public void postEvent(Event e) { sendEvent(e); }
            @Override public void sendEvent(Event e) { if (e.getTopic().startsWith("abiscope/syscall/")) deliver(e); }
        };

        Monitors(Path dir) throws Exception {
            this.dir = dir;
            start();
        }

        void start() throws Exception {
            files = (EventHandler) TracingCostTest.monitor("plugin.files.FilesMonitor", "plugin.files.FilesConfig", admin, dir);
            procs = (EventHandler) TracingCostTest.monitor("plugin.processes.ProcessesMonitor", "plugin.processes.ProcessesConfig", admin, dir);
        }

        void deliver(String topic, Map<String, Object> props) { deliver(new Event(topic, props)); }

        synchronized void deliver(Event e) {
            if (files != null) files.handleEvent(e);
            if (procs != null) procs.handleEvent(e);
        }

        synchronized void stop() throws Exception {
            for (Object m : new Object[] {files, procs}) {
                if (m == null) continue;
                var d = m.getClass().getDeclaredMethod("deactivate");
                d.setAccessible(true);
                d.invoke(m);
            }
            files = procs = null;
        }
    }
}
