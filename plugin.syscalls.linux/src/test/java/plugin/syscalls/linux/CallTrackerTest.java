package plugin.syscalls.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pairing, pids, fork/exec/exit by event sequences a kernel produces (x86_64 numbers: the kernel's table). */
class CallTrackerTest {
    final List<String> records = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final CallTracker t = new CallTracker(new CallTracker.Sink() {
        public void enter(Call c) { events.add("ENTER " + c.name); }
        public void exit(Call c) { events.add("EXIT " + c.name + " " + c.result); }
        public void record(Call c) { records.add(TraceFiles.straceLine(c).replaceAll(" +", " ")); }
        public void processExited(int pid, long asid, int status) { records.add(pid + " +++ exited with " + status + " +++"); }
    }, 32);
    final FakeCpu cpu = new FakeCpu("x86_64");

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
        assertEquals(List.of("ENTER getpid", "EXIT getpid 10", "ENTER clone", "ENTER getpid", "EXIT getpid 11", "EXIT clone 11"), events);
    }
}
