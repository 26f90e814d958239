package plugin.files;

import testing.strace.SyscallEvents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emulator.api.event.Keys;
import emulator.api.event.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FileTrackerTest {
    final List<String> lines = new ArrayList<>();
    final List<Map<String, Object>> records = new ArrayList<>();
    final List<String> topics = new ArrayList<>();
    final List<Map<String, Object>> published = new ArrayList<>();
    final FileTracker tracker = new FileTracker(new FileOutput() {
        @Override public void logLine(String line) { lines.add(line); }
        @Override public void jsonRecord(Map<String, Object> record) { records.add(record); }
        @Override public void publish(String topic, Map<String, Object> properties) { topics.add(topic); published.add(properties); }
    });

    void call(SyscallEvents enter, SyscallEvents exit) {
        tracker.accept(enter.event());
        tracker.accept(exit.event());
    }

    void open(int pid, String path, long handle, Boolean cloexec) {
        call(SyscallEvents.enter(pid).file("open").with(Keys.FILE_PATH, path).with(Keys.FILE_ACCESS, "READ").with(Keys.FILE_CLOEXEC, cloexec),
             SyscallEvents.exit(pid).file("open").ret(handle).with(Keys.FILE_HANDLE, handle));
    }

    void read(int pid, long handle) {
        call(SyscallEvents.enter(pid).file("read").with(Keys.FILE_HANDLE, handle).with(Keys.FILE_BUFFER, 0x15f88cL).with(Keys.FILE_LENGTH, 4L),
             SyscallEvents.exit(pid).ret(4));
    }

    void close(int pid, long handle) {
        call(SyscallEvents.enter(pid).file("close").with(Keys.FILE_HANDLE, handle), SyscallEvents.exit(pid).file("close").with(Keys.FILE_HANDLE, handle).ret(0));
    }

    void dup(int pid, long old, long handle, Boolean cloexec) {
        call(SyscallEvents.enter(pid).file("dup").with(Keys.FILE_OLD_HANDLE, old),
             SyscallEvents.exit(pid).file("dup").with(Keys.FILE_OLD_HANDLE, old).with(Keys.FILE_HANDLE, handle).with(Keys.FILE_CLOEXEC, cloexec).ret(handle));
    }

    void fork(int parent, int child) {
        call(SyscallEvents.enter(parent).proc("fork"), SyscallEvents.exit(parent).proc("fork").ret(child).with(Keys.PROCESS_CHILD, child).with(Keys.PROCESS_THREAD, false));
    }

    void exec(int pid, String image, long ret) {
        call(SyscallEvents.enter(pid).proc("exec").with(Keys.PROCESS_IMAGE, image), SyscallEvents.exit(pid).proc("exec").ret(ret));
    }

    Object lastPath() { return records.getLast().get("path"); }

    @Test
    void logsInThePapersFormWithPathsResolvedFromTheHandleTable() {
        exec(7, "/bin/cat", 0);
        open(7, "/etc/passwd", 3, false);
        read(7, 3);
        call(SyscallEvents.enter(7).file("write").with(Keys.FILE_HANDLE, 1L).with(Keys.FILE_BUFFER, 0x8001f00L).with(Keys.FILE_LENGTH, 2L), SyscallEvents.exit(7).ret(2));
        close(7, 3);
        assertEquals(List.of(
                "[7 cat] open(name /etc/passwd, mode READ, handle 0x3)",
                "[7 cat] read(handle 0x3, buffer 0x15f88c, length 0x4)",
                "[7 cat] write(handle 0x1, buffer 0x8001f00, length 0x2)",
                "[7 cat] close(handle 0x3)"), lines);
        assertEquals("/etc/passwd", records.get(1).get("path"));
        assertNull(records.get(2).get("path"), "handle 1 was opened before tracing: unknown, not guessed");
        assertEquals("/etc/passwd", records.get(3).get("path"));
        assertEquals(List.of(Topics.FILE_OPEN, Topics.FILE_READ, Topics.FILE_WRITE, Topics.FILE_CLOSE), topics);
        assertEquals("/etc/passwd", published.get(1).get(Keys.FILE_PATH));
        assertEquals(4L, published.get(1).get(Keys.RET));
        assertFalse(published.get(2).containsKey(Keys.FILE_PATH));
        read(7, 3);
        assertNull(lastPath(), "a closed handle is no longer named");
    }

    @Test
    void failedOpenAddsNoHandle() {
        call(SyscallEvents.enter(3).file("open").with(Keys.FILE_PATH, "/nope").with(Keys.FILE_ACCESS, "READ"), SyscallEvents.exit(3).ret(-2));
        assertEquals("[3 ?] open(name /nope, mode READ) -> error -2", lines.getLast());
        assertEquals(false, records.getLast().get("ok"));
        read(3, 3);
        assertNull(lastPath());
    }

    @Test
    void dupOverAnOpenHandleReplacesIt() {
        open(5, "/a", 3, false);
        open(5, "/b", 4, false);
        dup(5, 3, 4, false);
        assertEquals("[5 ?] dup(handle 0x3, new handle 0x4)", lines.getLast());
        assertEquals("/b", records.getLast().get("replacedPath"));
        read(5, 4);
        assertEquals("/a", lastPath());
        dup(5, 9, 4, false);    // 9 was never seen open: 4 becomes unknown, not still "/a"
        read(5, 4);
        assertNull(lastPath());
        read(5, 3);
        assertEquals("/a", lastPath());
    }

    @Test
    void forkedChildInheritsACopyOfTheTable() {
        exec(10, "/bin/sh", 0);
        open(10, "/etc/motd", 3, false);
        fork(10, 11);
        read(11, 3);
        assertEquals("/etc/motd", lastPath());
        assertTrue(lines.getLast().startsWith("[11 sh] "), lines.getLast());
        close(11, 3);
        read(10, 3);
        assertEquals("/etc/motd", lastPath(), "the child's close leaves the parent's handle open");
    }

    @Test
    void execClosesCloseOnExecHandlesAndForgetsThoseOfUnknownFlag() {
        open(20, "/x", 3, true);
        open(20, "/y", 4, false);
        open(20, "/z", 5, null);
        exec(20, "/bin/true", -2);    // failed: nothing closes
        read(20, 3);
        assertEquals("/x", lastPath());
        exec(20, "/bin/true", 0);
        read(20, 3);
        assertNull(lastPath());
        read(20, 4);
        assertEquals("/y", lastPath());
        read(20, 5);
        assertNull(lastPath(), "flag unknown: it may be closed, so its number is not named any more");
        assertTrue(lines.getLast().startsWith("[20 true] "));
    }

    @Test
    void setCloexecAndDupCloexec() {
        open(21, "/x", 3, false);
        call(SyscallEvents.enter(21).file("cloexec").with(Keys.FILE_HANDLE, 3L).with(Keys.FILE_CLOEXEC, true), SyscallEvents.exit(21).ret(0));
        dup(21, 3, 10, false);
        dup(21, 3, 11, true);
        exec(21, "/bin/x", 0);
        read(21, 3);
        assertNull(lastPath());
        read(21, 10);
        assertEquals("/x", lastPath());
        read(21, 11);
        assertNull(lastPath());
    }

    @Test
    void lateStartLogsHandleWithUnknownPathAndNoStdNames() {
        read(42, 0);
        call(SyscallEvents.enter(42).file("write").with(Keys.FILE_HANDLE, 1L).with(Keys.FILE_BUFFER, 1L).with(Keys.FILE_LENGTH, 5L), SyscallEvents.exit(42).ret(5));
        assertEquals("[42 ?] write(handle 0x1, buffer 0x1, length 0x5)", lines.getLast());
        assertNull(records.get(0).get("path"));
        assertNull(records.get(1).get("path"));
        assertTrue(tracker.summary().get(2).startsWith("? (handle 0x1 of pid 42, not seen opened)"), tracker.summary().toString());
        // An EXIT whose ENTER came before tracing began: what the EXIT says, nothing more.
        tracker.accept(SyscallEvents.exit(42).file("read").with(Keys.FILE_HANDLE, 7L).ret(1).event());
        assertEquals("[42 ?] read(handle 0x7, buffer ?, length ?)", lines.getLast());
    }

    @Test
    void childRunningBeforeItsParentsForkReturnsInheritsLate() {
        open(30, "/in", 3, false);
        open(30, "/out", 4, false);
        // The child's side first: it returns 0 from fork, reads 3, closes 4 ...
        tracker.accept(SyscallEvents.exit(31).proc("fork").ret(0).event());
        read(31, 3);
        assertNull(lastPath(), "not known yet: never guessed");
        close(31, 4);
        // ... then the parent's fork returns.
        fork(30, 31);
        read(31, 3);
        assertEquals("/in", lastPath());
        read(31, 4);
        assertNull(lastPath(), "the child closed 4 itself: the late inheritance must not reopen it");
    }

    @Test
    void childReturnCarryingItsParentInheritsAtOnce() {
        open(30, "/in", 3, false);
        tracker.accept(SyscallEvents.exit(31).proc("fork").ret(0).with(Keys.PPID, 30).event());
        read(31, 3);
        assertEquals("/in", lastPath());
    }

    @Test
    void childExitingBeforeItsParentsForkReturnsIsNotBroughtBack() {
        open(30, "/in", 3, false);
        tracker.accept(SyscallEvents.exit(31).proc("fork").ret(0).event());
        tracker.accept(SyscallEvents.enter(31).proc("exit").with(Keys.PROCESS_STATUS, 0).event());
        fork(30, 31);
        assertEquals(List.of("30 ?  (handles not seen opened are not known)", "  0x3  /in  READ"), tracker.openHandles(null));
    }

    @Test
    void threadsShareTheTableAndAThreadExitKeepsIt() {
        open(40, "/t", 3, false);
        call(SyscallEvents.enter(40).proc("fork"), SyscallEvents.exit(40).proc("fork").ret(41).with(Keys.PROCESS_CHILD, 41).with(Keys.PROCESS_THREAD, true));
        // the thread's events carry the process's pid and its own tid
        open(40, "/u", 4, false);
        call(SyscallEvents.enter(40).tid(41).file("read").with(Keys.FILE_HANDLE, 3L), SyscallEvents.exit(40).tid(41).ret(1));
        assertEquals("/t", lastPath());
        tracker.accept(SyscallEvents.enter(40).tid(41).proc("exit").with(Keys.PROCESS_STATUS, 0).event());
        read(40, 4);
        assertEquals("/u", lastPath());
        assertEquals(List.of("40 ?  (handles not seen opened are not known)", "  0x3  /t  READ", "  0x4  /u  READ"), tracker.openHandles("40"));
    }

    @Test
    void processExitDropsTheTable() {
        open(50, "/t", 3, false);
        tracker.accept(SyscallEvents.enter(50).proc("exit").with(Keys.PROCESS_STATUS, 1).event());
        tracker.accept(SyscallEvents.exit(50).proc("exit").event());    // a tracer may also report the exit completed
        assertTrue(tracker.openHandles("50").isEmpty());
    }

    @Test
    void summaryCountsOpensAndBytesPerFileAndProcess() {
        exec(60, "/bin/cat", 0);
        open(60, "/f", 3, false);
        read(60, 3);
        read(60, 3);
        fork(60, 61);
        call(SyscallEvents.enter(61).file("write").with(Keys.FILE_HANDLE, 3L).with(Keys.FILE_LENGTH, 10L), SyscallEvents.exit(61).ret(7));
        call(SyscallEvents.enter(61).file("write").with(Keys.FILE_HANDLE, 3L).with(Keys.FILE_LENGTH, 10L), SyscallEvents.exit(61).ret(-9));
        List<String> s = tracker.summary();
        assertEquals(2, s.size());
        assertTrue(s.get(1).matches("/f\\s+1\\s+8\\s+7\\s+60 cat, 61 cat"), s.get(1));
    }

    @Test
    void kernelCopiesCountAsAReadOfTheSourceAndAWriteOfTheDestination() {
        exec(70, "/bin/cat", 0);
        open(70, "/in", 3, false);
        call(SyscallEvents.enter(70).file("open").with(Keys.FILE_PATH, "/out").with(Keys.FILE_ACCESS, "WRITE").with(Keys.FILE_CLOEXEC, false),
             SyscallEvents.exit(70).ret(4));
        call(SyscallEvents.enter(70).file(Keys.FILE_OP_COPY).with(Keys.FILE_SOURCE_HANDLE, 3L).with(Keys.FILE_HANDLE, 4L).with(Keys.FILE_LENGTH, 0x1000L),
             SyscallEvents.exit(70).ret(26));
        assertEquals(List.of("[70 cat] read(handle 0x3, to handle 0x4, length 0x1000)",
                "[70 cat] write(handle 0x4, from handle 0x3, length 0x1000)"), lines.subList(lines.size() - 2, lines.size()));
        List<String> s = tracker.summary();
        assertTrue(s.stream().anyMatch(l -> l.matches("/in\\s+1\\s+26\\s+0\\s+70 cat")), s.toString());
        assertTrue(s.stream().anyMatch(l -> l.matches("/out\\s+1\\s+0\\s+26\\s+70 cat")), s.toString());
    }

    @Test
    void eventsWithoutPidAreKeptApartByAddressSpace() {
        call(SyscallEvents.enter(1).with(Keys.PID, null).with(Keys.TID, null).with(Keys.ASID, 0xaaL).file("open").with(Keys.FILE_PATH, "/p"),
             SyscallEvents.exit(1).with(Keys.PID, null).with(Keys.TID, null).with(Keys.ASID, 0xaaL).ret(3));
        call(SyscallEvents.enter(1).with(Keys.PID, null).with(Keys.TID, null).with(Keys.ASID, 0xbbL).file("read").with(Keys.FILE_HANDLE, 3L),
             SyscallEvents.exit(1).with(Keys.PID, null).with(Keys.TID, null).with(Keys.ASID, 0xbbL).ret(1));
        assertNull(lastPath());
        assertEquals("[asid 0xbb ?] read(handle 0x3, buffer ?, length ?)", lines.getLast());
    }

    void pipe(int pid, long r, long w) {
        call(SyscallEvents.enter(pid).file("open").with(Keys.FILE_PATH, "<pipe>").with(Keys.FILE_ANONYMOUS, true).with(Keys.FILE_ACCESS, "READ_WRITE")
                        .with(Keys.FILE_CLOEXEC, false),
             SyscallEvents.exit(pid).ret(0).with(Keys.FILE_HANDLE, r).with(Keys.FILE_HANDLES, new long[] {r, w})
                        .with(Keys.FILE_ACCESSES, new String[] {"READ", "WRITE"}));
    }

    @Test
    void pipeEndsAreNamedAndFollowedThroughDupForkAndExec() {
        pipe(50, 3, 4);
        assertEquals(List.of("[50 ?] open(name <pipe #1>, mode READ, handle 0x3)", "[50 ?] open(name <pipe #1>, mode WRITE, handle 0x4)"), lines);
        assertEquals(List.of(Topics.FILE_OPEN, Topics.FILE_OPEN), topics);
        assertEquals(true, published.get(0).get(Keys.FILE_ANONYMOUS));
        fork(50, 51);
        dup(51, 4, 1, false);    // dup2(4, 1): the write end over stdout, kept across exec
        close(51, 4);
        exec(51, "/bin/busybox", 0);
        call(SyscallEvents.enter(51).file("write").with(Keys.FILE_HANDLE, 1L).with(Keys.FILE_BUFFER, 1L).with(Keys.FILE_LENGTH, 2L), SyscallEvents.exit(51).ret(2));
        assertEquals("<pipe #1>", lastPath());
        assertEquals("WRITE", published.getLast().get(Keys.FILE_ACCESS));
        pipe(50, 5, 6);
        read(50, 5);
        assertEquals("<pipe #2>", lastPath(), "a second pipe is another object");
        assertTrue(tracker.summary().stream().anyMatch(l -> l.startsWith("<pipe #1> ") && l.contains("51 busybox")), tracker.summary().toString());
    }

    @Test
    void theImageAProcessNamesItselfIsUsedAndInheritedByForkedChildren() {
        call(SyscallEvents.enter(60), SyscallEvents.exit(60).proc("image").with(Keys.PROCESS_IMAGE, "/bin/busybox").ret(12));
        fork(60, 61);
        read(61, 0);
        assertEquals("[61 busybox] read(handle 0x0, buffer 0x15f88c, length 0x4)", lines.getLast());
    }

    @Test
    void aProcessThatExecsIsNamedByItsNewImageFromThen() {
        exec(62, "/bin/cat", 0);
        read(62, 0);
        exec(62, "/usr/bin/sort", 0);
        read(62, 0);
        assertEquals(List.of("[62 cat] read(handle 0x0, buffer 0x15f88c, length 0x4)", "[62 sort] read(handle 0x0, buffer 0x15f88c, length 0x4)"), lines);
        assertTrue(tracker.summary().get(1).endsWith("  62 cat, 62 sort"), tracker.summary().toString());
    }

    @Test
    void hexAppendedInPlaceEqualsTheStringForm() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        List<Long> values = new ArrayList<>(java.util.Arrays.asList(null, 0L, 1L, 9L, 10L, 15L, 16L, 255L, 256L, 0x5ed210L, -1L, -16L,
                Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, 1L << 32, (1L << 60) - 1));
        for (int i = 0; i < 2000; i++) values.add(r.nextLong() >> r.nextInt(64));
        for (Long v : values) assertEquals(FileTracker.hex(v), FileTracker.hex(new StringBuilder(), v).toString(), String.valueOf(v));
    }

    @Test
    void summaryLinesAreLaidOutAsStringFormatDid() {
        String format = "%-40s %6s %12s %12s  %s";
        String[][] rows = {{"file", "opens", "bytes read", "bytes written", "processes"}, {"/etc/passwd", "1", "4", "0", "7 cat"},
            {"? (handle 0x1 of pid 1006, not seen opened)", "0", "0", "3", "1006 busybox"}, {"", "1234567", "1234567890123", "0", ""},
            {"/a/path/that/is/exactly/forty/characters", "12", "123456789012", "1", "1 a, 2 b"}};
        for (String[] row : rows) assertEquals(String.format(format, (Object[]) row), FileTracker.summaryLine(row[0], row[1], row[2], row[3], row[4]));
    }
}
