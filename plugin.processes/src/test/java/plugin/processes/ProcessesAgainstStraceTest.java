package plugin.processes;

import testing.strace.StraceLog;
import testing.strace.StraceReplay;
import testing.strace.NativeStrace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.event.Event;

/**
 * The process tree built from a native busybox run as a syscall tracer would describe it, compared
 * with the tree strace -f shows: parents from the fork/clone results, images and argv from the
 * successful execve, exit statuses from strace's {@code +++ exited with N +++} (the kernel's wait
 * status, not the exit_group argument the monitor was fed). Written out as the timeline picture too.
 */
class ProcessesAgainstStraceTest {
    @TempDir Path dir;

    static final String SUITE = String.join("; ",
            "echo hi | tr a-z A-Z | wc -c",
            "(cat /etc/hostname; exit 3)",
            "sh -c 'exit 5'",
            "nosuchcommand 2>/dev/null",
            "sleep 0 & wait",
            "true && false || echo fallback",
            "exit 7");

    record Proc(Integer ppid, String image, List<String> argv, Integer status) {}

    @Test
    void treeEqualsStraceOfTheNativeRun() throws Exception {
        StraceLog log = NativeStrace.run(dir, SUITE, StraceReplay.TRACE);
        Map<Integer, Proc> expected = new LinkedHashMap<>();
        Integer root = null;
        for (Object e : log.entries) {
            if (e instanceof StraceLog.Call c) {
                if (root == null) root = c.pid();
                expected.putIfAbsent(c.pid(), new Proc(null, null, List.of(), null));
                if (List.of("clone", "clone3", "fork", "vfork").contains(c.name()) && c.ret() != null && c.ret() > 0) {
                    Proc parent = expected.get(c.pid());
                    Proc old = expected.get(c.ret().intValue());
                    expected.put(c.ret().intValue(), new Proc(c.pid(), old != null && old.image() != null ? old.image() : parent.image(),
                            old != null && old.image() != null ? old.argv() : parent.argv(), old == null ? null : old.status()));
                }
                if (c.name().equals("execve") && c.ret() != null && c.ret() == 0) {
                    Proc p = expected.get(c.pid());
                    expected.put(c.pid(), new Proc(p.ppid(), StraceLog.unquote(c.args().get(0)), StraceLog.stringArray(c.args().get(1)), p.status()));
                }
            } else if (e instanceof StraceLog.Exited x) {
                Proc p = expected.get(x.pid());
                expected.put(x.pid(), new Proc(p.ppid(), p.image(), p.argv(), x.status()));
            }
        }
        List<String> topics = new ArrayList<>();
        ProcessTree tree = new ProcessTree(new ProcessOutput() {
            @Override public void jsonRecord(Map<String, Object> record) { }
            @Override public void publish(String topic, Map<String, Object> properties) { topics.add(topic); }
        });
        for (Event e : new StraceReplay(log).events) tree.accept(e);

        Map<Integer, Proc> actual = new LinkedHashMap<>();
        for (ProcessNode n : tree.nodes()) actual.put(n.pid, new Proc(n.ppid, n.image, n.argv, n.status));
        assertEquals(expected, actual);
        assertTrue(expected.size() >= 8, "the suite must fork: " + expected.size() + " processes");
        assertEquals(7, expected.get(root).status());
        assertEquals(expected.size(), topics.stream().filter("abiscope/process/CREATE"::equals).count());
        assertEquals(expected.size(), topics.stream().filter("abiscope/process/EXIT"::equals).count());

        Path svg = Path.of(System.getProperty("timeline.out", dir.resolve("timeline.svg").toString()));
        Files.writeString(svg, TimelineSvg.render("busybox sh -c '" + SUITE + "'", tree.nodes(), tree, tree.maxIcount()));
    }
}
