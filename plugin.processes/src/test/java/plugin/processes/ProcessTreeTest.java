package plugin.processes;

import testing.strace.SyscallEvents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emulator.api.event.Keys;
import emulator.api.event.Topics;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class ProcessTreeTest {
    final List<Map<String, Object>> records = new ArrayList<>();
    final List<String> topics = new ArrayList<>();
    final List<Map<String, Object>> published = new ArrayList<>();
    final ProcessTree tree = new ProcessTree(new ProcessOutput() {
        @Override public void jsonRecord(Map<String, Object> record) { records.add(record); }
        @Override public void publish(String topic, Map<String, Object> properties) { topics.add(topic); published.add(properties); }
    });
    long icount;

    void send(SyscallEvents e) { tree.accept(e.with(Keys.ICOUNT, icount += 100).event()); }

    void forkReturnsInParent(int parent, int child, boolean thread) {
        send(SyscallEvents.enter(parent).proc("fork"));
        send(SyscallEvents.exit(parent).proc("fork").ret(child).with(Keys.PROCESS_CHILD, child).with(Keys.PROCESS_THREAD, thread));
    }

    void exec(int pid, long ret, String image, String... argv) {
        send(SyscallEvents.enter(pid).proc("exec").with(Keys.PROCESS_IMAGE, image).with(Keys.PROCESS_ARGV, argv));
        send(SyscallEvents.exit(pid).proc("exec").ret(ret));
    }

    void exitGroup(int pid, int status) { send(SyscallEvents.enter(pid).proc("exit").with(Keys.PROCESS_STATUS, status)); }

    ProcessNode node(int pid) { return tree.nodes().stream().filter(n -> n.pid == pid).reduce((a, b) -> b).orElseThrow(); }

    @Test
    void forkExecExitMakeTheTree() {
        exec(100, 0, "/bin/busybox", "sh", "-c", "cat x");
        forkReturnsInParent(100, 101, false);
        send(SyscallEvents.exit(101).proc("fork").ret(0));
        exec(101, -2, "/usr/bin/cat", "cat", "x");    // failed: the tree is unchanged
        exec(101, 0, "/bin/cat", "cat", "x");
        exitGroup(101, 1);
        exitGroup(100, 1);
        assertEquals(List.of("100 busybox [sh, -c, cat x] exit 1", "  101 cat [cat, x] exit 1"), tree.tree());
        ProcessNode child = node(101);
        assertEquals(100, child.ppid);
        assertEquals(List.of("/bin/cat"), child.execs.stream().map(ProcessNode.Exec::image).toList());
        assertEquals(List.of(Topics.PROCESS_CREATE, Topics.PROCESS_EXEC, Topics.PROCESS_CREATE, Topics.PROCESS_EXEC,
                Topics.PROCESS_EXIT, Topics.PROCESS_EXIT), topics);
        Map<String, Object> create = published.get(2);
        assertEquals(101, create.get(Keys.PID));
        assertEquals(100, create.get(Keys.PPID));
        assertEquals("/bin/busybox", create.get(Keys.PROCESS_IMAGE), "a forked child runs its parent's image until it execs");
        assertEquals(1, published.get(4).get(Keys.PROCESS_STATUS));
        assertEquals(List.of(0x1000L + 101), List.copyOf(child.asids));
    }

    @Test
    void threadCloneIsAThreadOfItsProcess() {
        exec(200, 0, "/bin/app", "app");
        forkReturnsInParent(200, 201, true);
        forkReturnsInParent(200, 202, false);
        send(SyscallEvents.enter(200).tid(201).proc("exit").with(Keys.PROCESS_STATUS, 0));    // the thread alone ends
        assertTrue(node(201).thread);
        assertTrue(node(201).exited);
        assertFalse(node(200).exited);
        assertFalse(node(202).thread);
        forkReturnsInParent(200, 203, true);
        exitGroup(200, 3);    // exit_group takes the remaining thread with it
        assertEquals(3, node(203).status);
        assertTrue(node(203).exited);
        assertEquals(List.of("200 app [app] exit 3", "  201 (thread) app [app] exit 0", "  202 app [app]",
                "  203 (thread) app [app] exit 3"), tree.tree());
    }

    @Test
    void childExitingBeforeItsParentsForkReturnIsOneNode() {
        exec(300, 0, "/bin/sh", "sh");
        send(SyscallEvents.exit(301).proc("fork").ret(0));
        exec(301, 0, "/bin/true", "true");
        exitGroup(301, 0);
        forkReturnsInParent(300, 301, false);
        assertEquals(2, tree.nodes().size());
        ProcessNode c = node(301);
        assertEquals(300, c.ppid);
        assertEquals("/bin/true", c.image, "the parent's late fork return must not undo the child's exec");
        assertEquals(0, c.status);
        assertTrue(c.createdIcount < c.execs.getFirst().icount(), "created at the child's first sight, not the parent's return");
        assertEquals(List.of("300 sh [sh]", "  301 true [true] exit 0"), tree.tree());
    }

    @Test
    void pidReuseMakesANewNode() {
        exec(400, 0, "/bin/sh", "sh");
        forkReturnsInParent(400, 401, false);
        exitGroup(401, 5);
        forkReturnsInParent(400, 401, false);
        assertEquals(3, tree.nodes().size());
        assertFalse(tree.nodes().get(2).exited);
        assertEquals(5, tree.nodes().get(1).status);
    }

    @Test
    void anExitReportedTwiceIsOneExit() {
        exec(500, 0, "/bin/x", "x");
        exitGroup(500, 2);
        send(SyscallEvents.exit(500).proc("exit"));
        assertEquals(1, topics.stream().filter(Topics.PROCESS_EXIT::equals).count());
        assertEquals(2, node(500).status);
    }

    @Test
    void withoutPidsTheChildsAddressSpaceIsBoundWhenItReturnsZeroFromFork() {
        // Only the root is named once (say by getpid); afterwards events carry only the address space.
        send(SyscallEvents.exit(1).proc("exec").ret(0).with(Keys.PROCESS_IMAGE, "/sbin/init").with(Keys.ASID, 0xa0L));
        SyscallEvents parentFork = SyscallEvents.exit(1).with(Keys.PID, null).with(Keys.TID, null).with(Keys.ASID, 0xa0L).proc("fork").ret(7).with(Keys.PROCESS_CHILD, 7);
        send(parentFork);
        send(SyscallEvents.exit(7).with(Keys.PID, null).with(Keys.TID, null).with(Keys.ASID, 0xb0L).proc("fork").ret(0));
        send(SyscallEvents.exit(7).with(Keys.PID, null).with(Keys.TID, null).with(Keys.ASID, 0xb0L).proc("exit").with(Keys.PROCESS_STATUS, 4));
        assertEquals(4, node(7).status);
        assertEquals(List.of(0xb0L), List.copyOf(node(7).asids));
        // The other order: the child's address space returns 0 before the parent's fork returns.
        send(SyscallEvents.exit(8).with(Keys.PID, null).with(Keys.TID, null).with(Keys.ASID, 0xc0L).proc("fork").ret(0));
        send(SyscallEvents.exit(1).with(Keys.PID, null).with(Keys.TID, null).with(Keys.ASID, 0xa0L).proc("fork").ret(8).with(Keys.PROCESS_CHILD, 8));
        // exec gives the process a new address space: bound after exec.
        send(SyscallEvents.enter(8).with(Keys.PID, null).with(Keys.TID, null).with(Keys.ASID, 0xc0L).proc("exec").with(Keys.PROCESS_IMAGE, "/bin/ls"));
        send(SyscallEvents.exit(8).with(Keys.PID, 8).with(Keys.TID, null).with(Keys.ASID, 0xd0L).proc("exec").ret(0).with(Keys.PROCESS_IMAGE, "/bin/ls"));
        send(SyscallEvents.enter(8).with(Keys.PID, null).with(Keys.TID, null).with(Keys.ASID, 0xd0L).proc("exit").with(Keys.PROCESS_STATUS, 9));
        assertEquals(List.of(0xc0L, 0xd0L), List.copyOf(node(8).asids));
        assertEquals(9, node(8).status);
        assertEquals(1, node(8).ppid);
        assertEquals(0, tree.unattributed());
    }

    @Test
    void repeatedEventsOfABoundAddressSpaceChangeNothingAndANewOneIsRecordedOnce() {
        for (int i = 0; i < 3; i++) send(SyscallEvents.enter(700).with(Keys.ASID, 0xe0L));    // ordinary calls, no process.op
        send(SyscallEvents.exit(700).with(Keys.ASID, 0xe0L).ret(0));
        send(SyscallEvents.enter(700).with(Keys.ASID, 0xe1L));    // another address space (an exec made before tracing)
        send(SyscallEvents.enter(700).with(Keys.ASID, 0xe1L));
        send(SyscallEvents.enter(700).with(Keys.ASID, 0xe0L));    // back to the first: known already
        assertEquals(List.of(0xe0L, 0xe1L), List.copyOf(node(700).asids));
        assertEquals(List.of("create", "asid"), records.stream().map(r -> r.get("op")).toList());
        // the address space alone names the process it was last bound to
        send(SyscallEvents.enter(700).with(Keys.PID, null).with(Keys.TID, null).with(Keys.ASID, 0xe1L).proc("exit").with(Keys.PROCESS_STATUS, 3));
        assertEquals(3, node(700).status);
        assertEquals(List.of("create", "asid", "exit"), records.stream().map(r -> r.get("op")).toList());
        assertEquals(0, tree.unattributed());
    }

    @Test
    void aProcessMetInMidRunIsShownAsFound() {
        send(SyscallEvents.enter(600).file("read").with(Keys.PPID, 1));
        ProcessNode n = node(600);
        assertFalse(n.createSeen);
        assertEquals(1, n.ppid);
        assertNull(n.image);
        assertEquals(true, records.getFirst().get("found"));
        assertTrue(tree.ps().get(1).contains("running"), tree.ps().toString());
    }

    @Test
    void timelineIsWellFormedSvgWithALanePerProcess() throws Exception {
        exec(700, 0, "/bin/sh", "sh", "-c", "a & b");
        forkReturnsInParent(700, 701, false);
        exec(701, 0, "/bin/a", "a");
        forkReturnsInParent(700, 702, true);
        exitGroup(701, 0);
        exitGroup(700, 0);
        String svg = TimelineSvg.render("t <&>", tree.nodes(), tree, tree.maxIcount());
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", d.getDocumentElement().getNodeName());
        assertTrue(svg.contains(">700  sh<") && svg.contains(">701  a<") && svg.contains(">702  sh  (thread)<"), svg);
        assertEquals(2, d.getElementsByTagName("line").getLength() - axisLines(svg) - 1, "two parent links");
    }

    private static int axisLines(String svg) { return (int) svg.lines().filter(l -> l.contains("stroke=\"#ddd\"") || l.contains("stroke=\"#333\"/>")).count(); }

    @Test
    void theFirstProcessLearnsItsImageFromWhatItSaysAndItsChildrenInheritIt() {
        send(SyscallEvents.enter(800).file("read"));    // met in mid-run: image unknown
        assertNull(node(800).image);
        send(SyscallEvents.enter(800));
        send(SyscallEvents.exit(800).proc("image").with(Keys.PROCESS_IMAGE, "/bin/busybox").ret(12));
        assertEquals("/bin/busybox", node(800).image);
        // the child's own return comes first and names its parent: it runs the parent's image
        send(SyscallEvents.exit(801).proc("fork").ret(0).with(Keys.PPID, 800));
        assertEquals("/bin/busybox", node(801).image);
        forkReturnsInParent(800, 801, false);
        send(SyscallEvents.enter(801).proc("exec").with(Keys.PROCESS_IMAGE, "/bin/busybox").with(Keys.PROCESS_ARGV, new String[] {"cat"})
                .with(Keys.PROCESS_IMAGE_NAMED, "/proc/self/exe"));
        send(SyscallEvents.exit(801).proc("exec").ret(0));
        assertEquals(List.of("800 busybox", "  801 busybox [cat]"), tree.tree());
        assertEquals("/proc/self/exe", records.stream().filter(r -> "exec".equals(r.get("op"))).findFirst().orElseThrow().get("imageNamed"));
    }
}
