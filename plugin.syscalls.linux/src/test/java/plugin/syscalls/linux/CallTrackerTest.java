package plugin.syscalls.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emulator.api.event.Keys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pairing, pids, fork/exec/exit by event sequences a kernel produces (x86_64 numbers: the kernel's table). */
class CallTrackerTest {
    final List<String> records = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final List<Call> exits = new ArrayList<>();
    final List<String> reports = new ArrayList<>();
    /** The writer's decoding, inline: the tracker hands over raw calls with the memory they need. */
    final CallDecoding decoding = new CallDecoding(32, reports::add);
    final CallTracker t = new CallTracker(new CallTracker.Sink() {
        public void enter(Call c, Integer pid) { decoding.entered(c, true); events.add("ENTER " + c.name); }
        public void exit(Call c, Integer pid) { decoding.exited(c, true); events.add("EXIT " + c.name + " " + c.result); exits.add(c); }
        public void record(Call c) { records.add(TraceFiles.straceLine(c).replaceAll(" +", " ")); }
        public void processExited(int pid, long asid, int status) { records.add(pid + " +++ exited with " + status + " +++"); }
    }, 32);
    final FakeCpu cpu = new FakeCpu("x86_64");

    @org.junit.jupiter.api.AfterEach
    void decodingReadOnlyWhatWasCaptured() {
        assertEquals(List.of(), reports, "decoding problems");
        assertEquals(0, decoding.captureMisses() + decoding.failures());
    }

    void enter(long nr, long sp, long... args) {
        cpu.set("rax", nr).set("rsp", sp);
        String[] regs = {"rdi", "rsi", "rdx", "r10", "r8", "r9"};
        for (int i = 0; i < regs.length; i++) cpu.set(regs[i], i < args.length ? args[i] : 0);
        t.onSyscall(cpu);
    }

    void ret(long sp, long value) {
        cpu.set("rsp", sp).set("rax", value);
        t.onReturnToUser(cpu);
    }

    @Test
    void pairsByStackAndHoldsLinesUntilThePidIsKnown() {
        long path = FakeCpu.BASE + 0x100;
        cpu.poke(path, "/etc/x\0".getBytes(StandardCharsets.ISO_8859_1));
        enter(257, 0x7000, -100, path, 0, 0); // openat
        ret(0x7000, -2);
        assertTrue(records.isEmpty(), "held until the pid is known");
        enter(218, 0x7000, FakeCpu.BASE); // set_tid_address
        ret(0x7000, 4242);
        assertEquals(List.of("4242 openat(AT_FDCWD, \"/etc/x\", O_RDONLY) = -1 ENOENT (No such file or directory)",
                "4242 set_tid_address(0x10000) = 4242"), records);
        ret(0x7000, 0); // a return with nothing pending (e.g. after an interrupt) is ignored
        assertEquals(1, t.unmatchedReturns());
    }

    @Test
    void exitGroupCompletesAtEntryAndCleansUp() {
        enter(39, 0x7000); // getpid
        ret(0x7000, 7);
        enter(0, 0x7100, 0, FakeCpu.BASE, 10); // read pending on another stack (another thread, say)
        enter(231, 0x7000, 3); // exit_group(3)
        ret(0x7000, 231); // the personality's return after exit: ignored
        assertEquals(List.of("7 getpid() = 7", "7 exit_group(3) = ?", "7 +++ exited with 3 +++"), records);
        assertEquals(0, t.pendingCount(), "no pending entry leaks past the process");
    }

    @Test
    void execMovesThePidToTheNewAddressSpace() {
        enter(39, 0x7000);
        ret(0x7000, 50);
        long path = FakeCpu.BASE + 0x200, argv = FakeCpu.BASE + 0x300;
        cpu.poke(path, "/bin/true\0".getBytes(StandardCharsets.ISO_8859_1));
        cpu.pokeInt(argv, path, 8);
        enter(59, 0x7000, path, argv, 0); // execve
        cpu.asid = 2;
        ret(0x9000, 0); // first return in the new image: another space, another stack
        enter(12, 0x9000, 0); // brk(NULL)
        ret(0x9000, 0x5000);
        assertEquals(List.of("50 getpid() = 50", "50 execve(\"/bin/true\", [\"/bin/true\"], NULL) = 0", "50 brk(NULL) = 0x5000"), records);
    }

    @Test
    void forkChildIsFoundThroughTheChildTidPointer() {
        enter(39, 0x7000);
        ret(0x7000, 10);
        long ctid = FakeCpu.BASE + 0x400;
        enter(56, 0x7000, 0x01200011, 0, 0, ctid, 0); // clone(CHILD_CLEARTID|CHILD_SETTID|SIGCHLD)
        cpu.asid = 2; // the child runs first, before the parent's clone returns
        cpu.pokeInt(ctid, 11, 4); // where the kernel stored the child's tid
        enter(39, 0x7000); // the child's getpid
        ret(0x7000, 11);
        cpu.asid = 1;
        ret(0x7000, 11); // the parent's clone returns the child's pid
        assertTrue(records.contains("11 getpid() = 11"), records.toString());
        assertTrue(records.contains("10 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x10400) = 11"), records.toString());
        // the child's own return from clone comes first (it ran first), as an EXIT with its parent's id
        assertEquals(List.of("ENTER getpid", "EXIT getpid 10", "ENTER clone", "EXIT clone 0", "ENTER getpid", "EXIT getpid 11", "EXIT clone 11"), events);
        Call childSide = exits.get(1);
        assertTrue(childSide.childSide);
        assertEquals(10, childSide.semantics.get(Keys.PPID));
        assertEquals(11, childSide.pid);
        assertTrue(records.stream().noneMatch(r -> r.contains("clone") && r.endsWith("= 0")), "strace prints no line for the child's side: " + records);
    }

    static final long SP = FakeCpu.BASE + 0x8000, FRAME = FakeCpu.BASE + 0x6000, SYSCALL_END = 0x401002;

    /** What x86-64 Linux pushes when a handler interrupts: rt_sigframe with the interrupted rsp, rip and rax. */
    void pushFrame(long interruptedSp, long interruptedPc, long rax) {
        long sc = FRAME + 48;
        cpu.pokeInt(sc + 13 * 8, rax, 8);
        cpu.pokeInt(sc + 15 * 8, interruptedSp, 8);
        cpu.pokeInt(sc + 16 * 8, interruptedPc, 8);
    }

    @Test
    void aCallWhoseReturnIsDivertedIntoASignalHandlerCompletesBeforeTheHandler() {
        enter(39, SP);
        ret(SP, 77);
        cpu.pc = SYSCALL_END;
        enter(61, SP, -1, 0, 0, 0); // wait4(-1, NULL, 0, NULL)
        pushFrame(SP, SYSCALL_END, 78);
        cpu.pc = 0x402000; // the handler
        ret(FRAME, 17); // rdi = signal number: not the call's result
        assertEquals("77 wait4(-1, NULL, 0, NULL) = 78", records.get(1));
        cpu.pc = 0x403002;
        enter(15, FRAME + 8); // rt_sigreturn from the handler's restorer
        cpu.pc = SYSCALL_END;
        ret(SP, 78); // back in the interrupted context: rax restored
        assertEquals(List.of("77 getpid() = 77", "77 wait4(-1, NULL, 0, NULL) = 78", "77 rt_sigreturn({mask=[]}) = 78"), records);
        assertEquals(0, t.pendingCount());
    }

    @Test
    void aCallTheKernelRestartsAfterAHandlerShowsTheRestartCode() {
        enter(39, SP);
        ret(SP, 77);
        cpu.pc = SYSCALL_END;
        enter(61, SP, -1, 0, 0, 0);
        pushFrame(SP, SYSCALL_END - 2, 61); // resumes at the syscall instruction with the number back in rax
        cpu.pc = 0x402000;
        ret(FRAME, 17);
        assertEquals("77 wait4(-1, NULL, 0, NULL) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)", records.get(1));
    }

    /**
     * With no event handler at the entry, the writer leaves the entry's semantics for the return:
     * made there (a handler came meanwhile) they are the ones the entry would have made; not wanted
     * at either end, none are made.
     */
    @Test
    void semanticsLeftForTheReturnAreThoseOfTheEntry() {
        List<Map<String, Object>> eager = semanticsOf(true, true), late = semanticsOf(false, true), none = semanticsOf(false, false);
        assertEquals(eager.size(), late.size());
        assertTrue(eager.stream().anyMatch(m -> "read".equals(m.get(Keys.FILE_OP))) && eager.stream().anyMatch(m -> m.containsKey(Keys.FILE_PATH)),
                "the script has calls with semantics at the entry: " + eager);
        for (int i = 0; i < eager.size(); i++) {
            Map<String, Object> e = eager.get(i), l = late.get(i);
            assertEquals(e.keySet(), l.keySet(), "call " + i);
            for (String k : e.keySet()) assertTrue(java.util.Objects.deepEquals(e.get(k), l.get(k)), "call " + i + " " + k + ": " + e.get(k) + " vs " + l.get(k));
        }
        assertTrue(none.stream().allMatch(Map::isEmpty), "none made: " + none);
    }

    /** The semantics of each call of a short script (openat, read, write, close, exit_group), decoded with the entry's made at the entry or not, and the return's or not. */
    private List<Map<String, Object>> semanticsOf(boolean atEntry, boolean atExit) {
        List<Call> done = new ArrayList<>();
        CallDecoding d = new CallDecoding(32, reports::add);
        CallTracker tr = new CallTracker(new CallTracker.Sink() {
            public void enter(Call c, Integer pid) { d.entered(c, atEntry); }
            public void exit(Call c, Integer pid) { d.exited(c, atExit); done.add(c); }
            public void record(Call c) { }
            public void processExited(int pid, long asid, int status) { }
        }, 32);
        FakeCpu f = new FakeCpu("x86_64");
        long path = FakeCpu.BASE + 0x100, buf = FakeCpu.BASE + 0x200;
        f.poke(path, "/etc/x\0".getBytes(StandardCharsets.ISO_8859_1));
        f.poke(buf, "hello\n".getBytes(StandardCharsets.ISO_8859_1));
        long[][] script = {{257, -100, path, 0x80000, 0, 3}, {0, 3, buf, 64, 0, 6}, {1, 1, buf, 6, 0, 6}, {3, 3, 0, 0, 0, 0}, {231, 0, 0, 0, 0, 0}};
        for (long[] s : script) {
            f.set("rax", s[0]).set("rsp", SP).set("rdi", s[1]).set("rsi", s[2]).set("rdx", s[3]).set("r10", s[4]);
            tr.onSyscall(f);
            if (s[0] != 231) {
                f.set("rsp", SP).set("rax", s[5]);
                tr.onReturnToUser(f);
            }
        }
        assertEquals(script.length, done.size());
        return done.stream().map(c -> c.semantics).toList();
    }

    @Test
    void pipeEndsAreAnnouncedAsAnonymousHandles() {
        enter(39, SP);
        ret(SP, 5);
        long fds = FakeCpu.BASE + 0x500;
        cpu.pokeInt(fds, 3, 4);
        cpu.pokeInt(fds + 4, 4, 4);
        enter(293, SP, fds, 0x80000); // pipe2(fds, O_CLOEXEC)
        ret(SP, 0);
        Call pipe = exits.get(1);
        assertEquals("open", pipe.semantics.get(Keys.FILE_OP));
        assertEquals("<pipe>", pipe.semantics.get(Keys.FILE_PATH));
        assertEquals(true, pipe.semantics.get(Keys.FILE_ANONYMOUS));
        assertArrayEquals(new long[] {3, 4}, (long[]) pipe.semantics.get(Keys.FILE_HANDLES));
        assertArrayEquals(new String[] {"READ", "WRITE"}, (String[]) pipe.semantics.get(Keys.FILE_ACCESSES));
        assertEquals(true, pipe.semantics.get(Keys.FILE_CLOEXEC));
        enter(33, SP, 4, 1); // dup2(4, 1): the copy does not close on exec
        ret(SP, 1);
        assertEquals(false, exits.get(2).semantics.get(Keys.FILE_CLOEXEC));
        enter(72, SP, 3, 2, 1); // fcntl(3, F_SETFD, FD_CLOEXEC)
        ret(SP, 0);
        assertEquals(Keys.FILE_OP_CLOEXEC, exits.get(3).semantics.get(Keys.FILE_OP));
        assertEquals(3L, exits.get(3).semantics.get(Keys.FILE_HANDLE));
        assertEquals(true, exits.get(3).semantics.get(Keys.FILE_CLOEXEC));
    }

    @Test
    void theImageIsLearntFromProcSelfExeAndAnExecOfItResolvesToIt() {
        enter(39, SP);
        ret(SP, 20);
        long link = FakeCpu.BASE + 0x600, buf = FakeCpu.BASE + 0x700, argv = FakeCpu.BASE + 0x800;
        cpu.poke(link, "/proc/self/exe\0".getBytes(StandardCharsets.ISO_8859_1));
        cpu.poke(buf, "/bin/busybox".getBytes(StandardCharsets.ISO_8859_1));
        enter(89, SP, link, buf, 4096); // readlink
        ret(SP, 12);
        assertEquals(Keys.PROCESS_OP_IMAGE, exits.get(1).semantics.get(Keys.PROCESS_OP));
        assertEquals("/bin/busybox", exits.get(1).semantics.get(Keys.PROCESS_IMAGE));
        cpu.pokeInt(argv, link, 8);
        enter(59, SP, link, argv, 0); // execve("/proc/self/exe", ...)
        cpu.asid = 2;
        ret(SP - 0x100, 0);
        Call exec = exits.get(2);
        assertEquals("/bin/busybox", exec.semantics.get(Keys.PROCESS_IMAGE));
        assertEquals("/proc/self/exe", exec.semantics.get(Keys.PROCESS_IMAGE_NAMED));
        assertTrue(records.contains("20 execve(\"/proc/self/exe\", [\"/proc/self/exe\"], NULL) = 0"), "the log shows the call as made: " + records);
    }
}
