package plugin.syscalls.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import emulator.api.instrument.AddressSpaceFilter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The tracer's syscalls.log of busybox command lines run on the Linux personality, against
 * {@code strace -f} of the same static binary run natively, in a chroot of the same folder (so the
 * paths are the same), per process and in order. Compared on the deterministic subset: addresses
 * (brk, mmap, stacks: ASLR), random bytes and times are compared by shape. Every difference the
 * environment explains is matched by a rule below that says why; anything else is a disagreement.
 *
 * <p>Multi-process lines are in the suite: they count as soon as the personality runs them (their
 * current state is printed).
 */
class StraceAgreementTest {
    /** The Linux user-mode issue's suite (BusyboxTest), then command lines this project has not seen. */
    static final List<List<String>> SUITE = List.of(
            List.of("echo", "hello"), List.of("true"), List.of("false"), List.of("cat", "f.txt"),
            List.of("uname", "-m"), List.of("wc", "f.txt"), List.of("ls", "/"), List.of("sha256sum", "f.txt"));
    static final List<List<String>> UNSEEN = List.of(
            List.of("head", "-n1", "f.txt"), List.of("cat", "nosuch"), List.of("ls", "-l", "/"), List.of("mkdir", "-p", "d/e"),
            List.of("sort", "f.txt"), List.of("md5sum", "f.txt"), List.of("pwd"), List.of("grep", "two", "f.txt"),
            List.of("cp", "f.txt", "g.txt"), List.of("touch", "t"), List.of("od", "-c", "f.txt"), List.of("tail", "-n1", "f.txt"),
            List.of("ln", "-s", "f.txt", "l"), List.of("cut", "-d", " ", "-f2", "f.txt"), List.of("seq", "3"),
            List.of("expr", "1", "+", "2"), List.of("dd", "if=f.txt", "of=g.txt"), List.of("rm", "-f", "f.txt"),
            List.of("stat", "f.txt"), List.of("basename", "/a/b"), List.of("printf", "%s-%d\\n", "x", "5"),
            List.of("tr", "a-z", "A-Z"), List.of("cmp", "f.txt", "f.txt"), List.of("rmdir", "nodir"),
            // big enough that the C library grows sort's line table with mmap and mremap (offset 0, four-argument mremap)
            List.of("sort", "big.txt"));
    static final List<List<String>> MULTI_PROCESS = List.of(
            List.of("sh", "-c", "echo a; /bin/busybox true; echo b | /bin/busybox cat"));

    /**
     * A call one side makes and the other does not, explained by the environment. The rule sees the
     * whole process's lines of that side (raw, before addresses are normalized) and the line's index.
     */
    record Single(String side, SingleRule matches, String why) {}

    @FunctionalInterface
    interface SingleRule { boolean test(List<String> raw, int i, String line); }

    /** The same call with a different outcome, explained by the environment. */
    record Pair(BiPredicate<String, String> matches, String why) {}

    static final String SENDFILE = "Linux refuses sendfile from a pipe (EINVAL) and busybox falls back to a read loop with a 64 KiB buffer;"
            + " the personality's sendfile copies from the pipe (a personality difference: emulator.linuxuser LinuxSyscalls.sendfile)";
    static final String ASYNC_SIGCHLD = "where an asynchronous SIGCHLD interrupts the shell (and so the result its handler's sigreturn restores)"
            + " depends on when the child ends relative to its parent: scheduling, which differs from run to run natively too";

    static final List<Single> SINGLES = List.of(
            new Single("native", (raw, i, l) -> i == 0 && l.startsWith("execve("),
                    "the first execve is made by strace's child natively; in the emulator the loader starts the program, no guest instruction calls it"),
            new Single("emulated", (raw, i, l) -> l.matches("^(clock_gettime|clock_gettime64|gettimeofday|time|getcpu)\\(.*"),
                    "natively answered by the vDSO without a system call; the personality maps no vDSO, so the C library makes the call"),
            new Single("emulated", (raw, i, l) -> l.matches("^wait4\\(-1, 0x…, 0, NULL\\) = -1 EINTR .*"),
                    "the personality's blocking wait4 can fail with EINTR when the ending child's SIGCHLD interrupts the wait before the"
                            + " woken parent looks at its children again (emulator.linuxuser ProcessCalls.waitChild); Linux finds the zombie first"
                            + " and returns its pid (a personality difference)"),
            new Single("native", (raw, i, l) -> l.matches("^(rt_sigreturn|sigreturn)\\(.*"), ASYNC_SIGCHLD),
            new Single("emulated", (raw, i, l) -> l.matches("^(rt_sigreturn|sigreturn)\\(.*"), ASYNC_SIGCHLD),
            new Single("native", (raw, i, l) -> l.matches("^(mmap|mmap2|munmap)\\(.*, 65536.*|^read\\(0, .*65536\\).*") && sendfileRefused(raw, i),
                    SENDFILE),
            new Single("native", (raw, i, l) -> l.matches("^write\\(1, .*") && sendfileRefused(raw, i) && echoesRead(raw, i), SENDFILE),
            new Single("emulated", (raw, i, l) -> l.matches("^sendfile(64)?\\(1, 0, NULL, 16777216\\) = 0$"), SENDFILE),
            new Single("emulated", (raw, i, l) -> l.startsWith("brk(0x") && shrinksHeap(raw, i),
                    "glibc trims the heap top (free -> brk down) only when it exceeds the trim threshold by a page: natively i386 static glibc"
                            + " keeps a link_map for the vDSO on its heap (688 bytes in use at start natively, 728 without a vDSO under"
                            + " qemu-i386 7.2 and the personality, measured with mallinfo2), so the same free trims without a vDSO only"));

    /** An earlier sendfile of this process failed with EINVAL (Linux's answer for a pipe as the source). */
    static boolean sendfileRefused(List<String> raw, int i) {
        for (int k = 0; k < i; k++) if (raw.get(k).matches("^sendfile(64)?\\(.* = -1 EINVAL .*")) return true;
        return false;
    }

    /** The write copies what the read before it returned (busybox's read/write fallback loop). */
    static boolean echoesRead(List<String> raw, int i) {
        if (i == 0) return false;
        java.util.regex.Matcher r = java.util.regex.Pattern.compile("^read\\(0, (\".*\"), 65536\\) = (\\d+)$").matcher(raw.get(i - 1));
        java.util.regex.Matcher w = java.util.regex.Pattern.compile("^write\\(1, (\".*\"), (\\d+)\\) = (\\d+)$").matcher(raw.get(i));
        return r.matches() && w.matches() && r.group(1).equals(w.group(1)) && r.group(2).equals(w.group(2));
    }

    /** A brk below the break the previous brk returned: the C library giving heap back. */
    static boolean shrinksHeap(List<String> raw, int i) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^brk\\(0x([0-9a-f]+)\\) += 0x([0-9a-f]+)$").matcher(raw.get(i));
        if (!m.matches()) return false;
        for (int k = i - 1; k >= 0; k--) {
            java.util.regex.Matcher p = java.util.regex.Pattern.compile("^brk\\(.*\\) += 0x([0-9a-f]+)$").matcher(raw.get(k));
            if (p.matches()) return Long.parseUnsignedLong(m.group(1), 16) < Long.parseUnsignedLong(p.group(1), 16);
        }
        return false;
    }

    static final List<Pair> PAIRS = List.of(
            new Pair((n, e) -> n.startsWith("getppid(") && e.equals("getppid() = 1"),
                    "the first process's parent is strace's chroot natively; the personality's first process has no parent (1)"),
            new Pair((n, e) -> n.startsWith("rt_sigaction(") && e.replace("SA_RESTORER|", "").replace("sa_flags=SA_RESTORER", "sa_flags=0")
                    .replaceAll(", sa_restorer=0x[^}]*", "").equals(n),
                    "i386 glibc returns from handlers through the vDSO's sigreturn when there is a vDSO, else through its own restorer (SA_RESTORER); the personality maps no vDSO"),
            new Pair((n, e) -> n.matches("^sendfile(64)?\\(1, 0, NULL, 16777216\\) = -1 EINVAL.*") && e.matches("^sendfile(64)?\\(1, 0, NULL, 16777216\\) = \\d+$"),
                    SENDFILE),
            new Pair((n, e) -> n.matches("^(rt_)?sigreturn\\(.*") && e.matches("^(rt_)?sigreturn\\(.*"), ASYNC_SIGCHLD),
            new Pair((n, e) -> n.startsWith("rseq(") && n.endsWith("= 0") && e.endsWith("ENOSYS (Function not implemented)"),
                    "the personality does not implement rseq (ENOSYS); glibc runs on without it"),
            new Pair((n, e) -> n.startsWith("uname(") && n.replaceFirst("nodename=\"[^\"]*\"", "").equals(e.replaceFirst("nodename=\"[^\"]*\"", "")),
                    "host name: the personality reports its own"),
            new Pair((n, e) -> n.contains("STATX_MNT_ID") && n.replace("|STATX_MNT_ID", "").equals(e),
                    "Linux 6.1 also fills stx_mnt_id; the personality fills the basic stats only"),
            new Pair((n, e) -> n.matches(".*\"/(dev|proc)\".*") && n.replaceAll("\\{.*\\}", "{}").replace("|STATX_MNT_ID", "")
                    .equals(e.replaceAll("\\{.*\\}", "{}").replace("|STATX_MNT_ID", "")),
                    "/dev and /proc are the host's devtmpfs and procfs natively, the personality's virtual folders in the emulator"));

    static final String REORDER = "directory entries come in the file system's order (getdents), which differs between the host and the personality";

    record Tally(int nativeCalls, int emulatedCalls, int agree, int explained, List<String> disagreements) {}

    @Test void amd64() throws Exception { compareArch("amd64", "x86_64"); }

    @Test void i386() throws Exception { compareArch("i386", "i386"); }

    private void compareArch(String debArch, String arch) throws Exception {
        Path bb = Path.of(System.getProperty("user.home"), ".cache/abiscope/guests", debArch, "busybox/busybox");
        assumeTrue(Files.isRegularFile(bb), "busybox-static for " + debArch + " missing: run emulator.linuxuser/scripts/fetch-busybox.sh " + debArch);
        assumeTrue(nativeTracingWorks(), "native reference needs root, unshare, chroot and strace: not available here");
        int nat = 0, emu = 0, agree = 0, explained = 0;
        List<String> disagreements = new ArrayList<>();
        List<List<String>> all = new ArrayList<>(SUITE);
        all.addAll(UNSEEN);
        all.addAll(MULTI_PROCESS);
        for (List<String> cmd : all) {
            Tally t = compareOne(bb, debArch, arch, cmd);
            boolean multi = MULTI_PROCESS.contains(cmd);
            String line = String.format("%s %-40s native %3d emulated %3d agree %3d explained %d", debArch,
                    String.join(" ", cmd), t.nativeCalls, t.emulatedCalls, t.agree, t.explained);
            System.out.println(line);
            t.disagreements.forEach(d -> System.out.println("    " + d));
            if (multi && t.emulatedCalls < 2) { // the personality does not run it yet: reported, not counted
                System.out.println("    (multi-process line not counted: the personality does not run it yet)");
                continue;
            }
            nat += t.nativeCalls; emu += t.emulatedCalls; agree += t.agree; explained += t.explained;
            for (String d : t.disagreements) disagreements.add(String.join(" ", cmd) + ": " + d);
        }
        // every call is native-only, emulated-only or matched: the union counts each matched pair once
        int union = nat + emu - agree;
        int compared = union - explained;
        double pct = 100.0 * agree / Math.max(1, compared);
        System.out.printf("%s: %d native calls, %d emulated, %d agree, %d explained by the environment: %.2f%% agreement"
                + " (%.2f%% counting the explained ones as disagreements)%n", debArch, nat, emu, agree, explained, pct, 100.0 * agree / Math.max(1, union));
        reasons.forEach((why, n) -> System.out.println("  explained x" + n + ": " + why));
        reasons.clear();
        assertTrue(pct >= 99.0, debArch + " agreement " + pct + "% < 99%: " + disagreements);
    }

    private Tally compareOne(Path bb, String debArch, String arch, List<String> cmd) throws Exception {
        Path nativeRoot = freshRoot(bb), emuRoot = freshRoot(bb);
        Path straceOut = Scratch.file("strace", ".txt");
        List<String> argv = new ArrayList<>(List.of("/bin/busybox"));
        argv.addAll(cmd);
        runNative(nativeRoot, straceOut, argv, debArch);
        StraceLog nativeLog = StraceLog.parse(cutAtBusybox(Files.readAllLines(straceOut, StandardCharsets.ISO_8859_1)));
        Path traceDir = Scratch.dir("trace");
        try (Tracer tracer = new Tracer(new Tracer.Settings(traceDir, true, true, 32, new String[0], new String[0], AddressSpaceFilter.ALL), null)) {
            GuestHarness.run(emuRoot, arch, argv, tracer, new byte[0]);
            // decoding runs on the writer thread from memory copied at the call: it must have read nothing else
            assertEquals(0, tracer.decodingFailures(), "decoders that threw or read uncaptured memory (see stderr): " + cmd);
        }
        StraceLog emuLog = StraceLog.parse(Files.readAllLines(traceDir.resolve("syscalls.log"), StandardCharsets.ISO_8859_1));
        return compare(nativeLog, emuLog);
    }

    static Tally compare(StraceLog nat, StraceLog emu) {
        // processes pair up in the order they were created: pids grow with each fork on both sides
        List<Integer> np = nat.byPid.keySet().stream().sorted().toList(), ep = emu.byPid.keySet().stream().sorted().toList();
        int nc = 0, ec = 0, agree = 0, explained = 0;
        List<String> dis = new ArrayList<>();
        for (int p = 0; p < Math.max(np.size(), ep.size()); p++) {
            List<String> rawA = p < np.size() ? text(nat.byPid.get(np.get(p))) : List.of();
            List<String> rawB = p < ep.size() ? text(emu.byPid.get(ep.get(p))) : List.of();
            List<String> a = p < np.size() ? normalize(nat.byPid.get(np.get(p))) : List.of();
            List<String> b = p < ep.size() ? normalize(emu.byPid.get(ep.get(p))) : List.of();
            // process ids differ by nature: the n-th native process is the n-th emulated one
            for (int q = 0; q < Math.min(np.size(), ep.size()); q++) a = replacePid(a, np.get(q), ep.get(q));
            nc += a.size();
            ec += b.size();
            boolean[][] used = lcs(a, b);
            agree += count(used[0]);
            List<Integer> onlyA = new ArrayList<>(), onlyB = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) if (!used[0][i]) onlyA.add(i);
            for (int j = 0; j < b.size(); j++) if (!used[1][j]) onlyB.add(j);
            // the same call on both sides with an outcome the environment explains
            for (var ia = onlyA.iterator(); ia.hasNext(); ) {
                int i = ia.next();
                for (var ib = onlyB.iterator(); ib.hasNext(); ) {
                    int j = ib.next();
                    String why = a.get(i).equals(b.get(j)) ? REORDER : pairReason(a.get(i), b.get(j));
                    if (why != null) {
                        explained += 2;
                        reasons.merge(why, 1, Integer::sum);
                        ia.remove();
                        ib.remove();
                        break;
                    }
                }
            }
            for (int i : onlyA) if (!explain("native", rawA, i, a.get(i))) dis.add("process " + p + " native only:   " + a.get(i)); else explained++;
            for (int j : onlyB) if (!explain("emulated", rawB, j, b.get(j))) dis.add("process " + p + " emulated only: " + b.get(j)); else explained++;
        }
        return new Tally(nc, ec, agree, explained, dis);
    }

    /** How often each explanation was used, for the report. */
    static final Map<String, Integer> reasons = new TreeMap<>();

    private static String pairReason(String n, String e) {
        if (!n.substring(0, n.indexOf('(') + 1).equals(e.substring(0, Math.max(0, e.indexOf('(') + 1)))) return null;
        for (Pair r : PAIRS) if (r.matches.test(n, e)) return r.why;
        return null;
    }

    private static List<String> replacePid(List<String> lines, int from, int to) {
        String pat = "\\b" + from + "\\b";
        return lines.stream().map(l -> l.replaceAll(pat, Integer.toString(to))).toList();
    }

    private static boolean explain(String side, List<String> raw, int index, String line) {
        for (Single r : SINGLES) if (r.side.equals(side) && r.matches.test(raw, index, line)) { reasons.merge(r.why, 1, Integer::sum); return true; }
        return false;
    }

    private static List<String> text(List<StraceLog.Line> lines) { return lines.stream().map(StraceLog.Line::text).toList(); }

    private static int count(boolean[] b) { int c = 0; for (boolean x : b) if (x) c++; return c; }

    /** Longest common subsequence: which lines of each side are matched. */
    static boolean[][] lcs(List<String> a, List<String> b) {
        int[][] t = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--)
            for (int j = b.size() - 1; j >= 0; j--)
                t[i][j] = a.get(i).equals(b.get(j)) ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
        boolean[] ua = new boolean[a.size()], ub = new boolean[b.size()];
        int i = 0, j = 0;
        while (i < a.size() && j < b.size()) {
            if (a.get(i).equals(b.get(j))) { ua[i++] = true; ub[j++] = true; }
            else if (t[i + 1][j] >= t[i][j + 1]) i++;
            else j++;
        }
        return new boolean[][] {ua, ub};
    }

    /** The deterministic shape of each call: addresses, random bytes and times by shape only. */
    static List<String> normalize(List<StraceLog.Line> lines) {
        List<String> out = new ArrayList<>();
        for (StraceLog.Line l : lines) {
            String s = l.text();
            s = s.replaceAll("0x[0-9a-f]{5,}", "0x…");
            if (l.name().equals("getrandom")) s = s.replaceFirst("\"(\\\\x[0-9a-f]{2})*\"", "\"<random>\"");
            s = s.replaceAll("tv_(sec|nsec|usec)=\\d+", "tv_$1=N");
            if (l.name().equals("sysinfo")) s = s.replaceAll("=\\d+|\\d+(?=[],])", "N"); // uptime, loads, memory: this machine's state
            out.add(s);
        }
        return out;
    }

    static List<String> cutAtBusybox(List<String> lines) {
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).matches("^\\d+\\s+execve\\(\"/bin/busybox\".*")) return lines.subList(i, lines.size());
        throw new AssertionError("no execve of /bin/busybox in the native strace output: " + lines);
    }

    static Path freshRoot(Path bb) throws IOException {
        Path root = Scratch.dir("abiscope-sc");
        for (String d : List.of("bin", "dev", "proc", "tmp")) Files.createDirectories(root.resolve(d));
        Files.copy(bb, root.resolve("bin/busybox"));
        root.resolve("bin/busybox").toFile().setExecutable(true);
        Files.writeString(root.resolve("f.txt"), "one two\nthree\n");
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 40_000; i++) big.append("line ").append(i * 7919 % 40_000).append('\n'); // shuffled
        Files.writeString(root.resolve("big.txt"), big);
        return root;
    }

    static void runNative(Path root, Path out, List<String> argv, String debArch) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--fork", "/bin/sh", "-c",
                "mount --bind /proc \"$2/proc\" && mount --bind /dev \"$2/dev\" && o=\"$1\" r=\"$2\" && shift 2 && exec "
                        + (debArch.equals("i386") ? "/usr/bin/setarch i686 " : "") + "/usr/bin/env -i /usr/bin/strace -f -o \"$o\" /usr/sbin/chroot \"$r\" \"$@\"",
                "sh", out.toString(), root.toString()));
        cmd.addAll(argv);
        // stdout and stderr are pipes, as the personality presents the emulated guest's streams
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        Process p = pb.start();
        p.getOutputStream().close(); // stdin: an empty pipe, as in the emulated run
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "native run timed out: " + cmd);
    }

    static boolean nativeTracingWorks() {
        try {
            Process p = new ProcessBuilder("/usr/bin/unshare", "--mount", "--fork", "/usr/bin/strace", "-o", "/dev/null", "/bin/true")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.isExecutable(Path.of("/usr/sbin/chroot"));
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
