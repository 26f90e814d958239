package plugin.syscalls.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emulator.api.GuestMemory;
import emulator.api.event.Keys;
import emulator.api.event.Topics;
import emulator.api.instrument.AddressSpaceFilter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plugin.syscalls.linux.table.Arch;

/**
 * The split between the vCPU thread (pairing, copying memory) and the tracer's writer thread
 * (decoding, files, events): nothing is lost or reordered, the Gogo views and close wait for the
 * writer, a full queue makes the vCPU wait, and a failing decoding or capture costs only its own text.
 * Driven by event sequences a kernel produces (x86_64 numbers: the kernel's table).
 */
class TracerThreadsTest {
    static final long SP = FakeCpu.BASE + 0x8000, BUF = FakeCpu.BASE + 0x100;
    final FakeCpu cpu = new FakeCpu("x86_64");
    @TempDir Path dir;

    Tracer tracer(Tracer.EventPublisher events) throws Exception {
        return new Tracer(new Tracer.Settings(dir, true, true, 32, new String[0], new String[0], AddressSpaceFilter.ALL), events);
    }

    void call(Tracer t, long nr, long ret, long... args) {
        cpu.set("rax", nr).set("rsp", SP);
        String[] regs = {"rdi", "rsi", "rdx", "r10", "r8", "r9"};
        for (int i = 0; i < regs.length; i++) cpu.set(regs[i], i < args.length ? args[i] : 0);
        t.onSyscall(cpu);
        t.onPrivilegeChange(cpu, 0, 1);
        cpu.set("rax", ret);
        t.onPrivilegeChange(cpu, 1, 0);
    }

    /** getpid (binds the pid), n × write(1, "x", 1) with the buffer changing after each call, exit_group(0). */
    void run(Tracer t, int n) {
        call(t, 39, 7);
        for (int i = 0; i < n; i++) {
            cpu.poke(BUF, new byte[] {(byte) ('a' + i % 26)});
            call(t, 1, 1, 1, BUF, 1);
        }
        cpu.set("rax", 231).set("rdi", 0).set("rsp", SP);
        t.onSyscall(cpu);
    }

    @Test
    void aFullQueueMakesTheVcpuWaitAndNothingIsLostOrReordered() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        // three queued items per call: more than the queue holds plus a full batch the writer took
        // out of it before its first event blocked
        int calls = 6000;
        assertTrue(3 * calls > 2 * TraceWriter.CAPACITY);
        Tracer t = tracer((topic, props) -> {
            try { release.await(); } catch (InterruptedException e) { throw new AssertionError(e); }
            events.add(topic.substring(topic.lastIndexOf('/') + 1) + " " + props.get(Keys.NAME) + " " + props.get(Keys.ARGS_TEXT + "") );
        });
        Thread vcpu = Thread.ofPlatform().name("fake-vcpu").start(() -> run(t, calls));
        // The vCPU either waits for room in the full queue (a timed offer: TIMED_WAITING, a state
        // nothing else on its path has), or, if items were dropped, finishes.
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (vcpu.getState() != Thread.State.TIMED_WAITING && vcpu.isAlive() && System.nanoTime() < deadline) Thread.onSpinWait();
        assertTrue(vcpu.isAlive(), "with the writer held up, the vCPU waits for room (it would have finished by dropping)");
        release.countDown();
        vcpu.join(TimeUnit.MINUTES.toMillis(2));
        assertTrue(!vcpu.isAlive());
        t.close();
        assertEquals(2 * (calls + 2), events.size(), "every ENTER and EXIT");
        for (int i = 0; i < events.size(); i += 2) {
            assertTrue(events.get(i).startsWith("ENTER ") && events.get(i + 1).startsWith("EXIT "), "ENTER before EXIT: " + events.subList(i, i + 2));
        }
        List<String> log = Files.readAllLines(dir.resolve("syscalls.log"), StandardCharsets.ISO_8859_1);
        assertEquals(calls + 3, log.size(), "every line, written out by close");
        // the buffer was read when each write was made, not later when the writer got to it
        for (int i = 0; i < calls; i++) {
            String want = "7     write(1, \"" + (char) ('a' + i % 26) + "\", 1)";
            assertTrue(log.get(i + 1).startsWith(want), log.get(i + 1) + " vs " + want);
        }
        assertEquals("7     +++ exited with 0 +++", log.getLast());
        assertEquals(calls + 2, Files.readAllLines(dir.resolve("syscalls.jsonl")).size());
        assertEquals(0, t.decodingFailures());
    }

    @Test
    void theViewsWaitForTheWriterAndAnEventConsumerMayUseThemWithoutDeadlock() throws Exception {
        List<Long> seenFromTheWriter = new ArrayList<>();
        Tracer[] self = new Tracer[1];
        try (Tracer t = tracer((topic, props) -> {
            // called on the writer thread: the views must not wait for that thread itself
            if (topic.equals(Topics.SYSCALL_EXIT) && "write".equals(props.get(Keys.NAME))) seenFromTheWriter.add(self[0].count("write"));
        })) {
            self[0] = t;
            run(t, 50);
            assertEquals(50, t.count("write"), "exact as soon as the vCPU has made the calls");
            assertEquals(1, t.count("exit_group"));
            assertTrue(t.tail(1).getFirst().contains("+++ exited with 0 +++"), t.tail(1).toString());
            assertEquals(50, seenFromTheWriter.size());
            assertEquals(0, t.pendingCalls());
            t.flush();
            assertEquals(53, Files.readAllLines(dir.resolve("syscalls.log")).size(), "flush writes everything traced so far");
        }
    }

    @Test
    void aFailingCaptureIsReportedOnceAndTheCallsAreStillTraced() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        try (Tracer t = tracer((topic, props) -> events.add(topic + " " + props.get(Keys.NAME)))) {
            call(t, 39, 7);
            cpu.readFailure = new IllegalStateException("broken memory view");
            call(t, 1, 1, 1, BUF, 1);
            call(t, 1, 1, 1, BUF, 1);
            cpu.readFailure = null;
            call(t, 3, 0, 5); // close(5)
            assertTrue(t.decodingFailures() > 0, "counted");
        }
        List<String> log = Files.readAllLines(dir.resolve("syscalls.log"));
        assertEquals(4, log.size(), String.join("\n", log));
        assertTrue(log.get(1).matches("7 +write\\(1, 0x10100, 1\\) += 1"), "the buffer printed as its address: " + log.get(1));
        assertTrue(log.get(3).matches("7 +close\\(5\\) += 0"), log.get(3));
        assertEquals(8, events.size());
    }

    @Test
    void aThrowingDecoderIsReportedOnceAndTheCallIsTracedRaw() {
        List<String> reports = new ArrayList<>();
        CallDecoding d = new CallDecoding(32, reports::add);
        GuestMemory broken = new GuestMemory() {
            public long asid() { return 1; }
            public boolean isReadable(long addr) { throw new IllegalStateException("decoder bug"); }
            public int read(long addr, byte[] dst, int off, int len) { throw new IllegalStateException("decoder bug"); }
            public int write(long addr, byte[] src, int off, int len) { return 0; }
        };
        List<Call> opens = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Call c = new Call(Arch.X86_64, 1, SP, 0, 0, 257, new long[] {-100L, 0x1000, 0, 0, 0, 0}, i); // openat(AT_FDCWD, path, O_RDONLY)
            c.entryMemory = broken;
            d.entered(c, true);
            c.rawResult = 3;
            c.ret = 3;
            c.returned = true;
            c.decodeResult = true;
            d.exited(c, true);
            opens.add(c);
        }
        assertEquals(1, reports.size(), "reported once: " + reports);
        assertTrue(reports.getFirst().contains("openat") && reports.getFirst().contains("decoder bug"), reports.getFirst());
        for (Call c : opens) {
            assertEquals("openat(0xffffffffffffff9c, 0x1000, 0, 0, 0, 0)", c.callText(), "raw arguments");
            assertEquals("3", c.result);
            assertEquals("open", c.semantics.get(Keys.FILE_OP), "the semantics that need no memory are still there");
        }
        Call close = new Call(Arch.X86_64, 1, SP, 0, 0, 3, new long[] {5, 0, 0, 0, 0, 0}, 9);
        d.entered(close, true);
        assertEquals("close(5)", close.callText(), "the next call decodes normally");
        assertEquals(1, reports.size());
    }
}
