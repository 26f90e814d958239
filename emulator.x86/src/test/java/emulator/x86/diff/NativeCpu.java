package emulator.x86.diff;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The host CPU as reference: runs i386 (bits 32, a {@code -m32} process) or x86-64 (bits 64)
 * code natively in {@code src/test/native/x86runner.c}, built with gcc into
 * {@code target/native/x86runner32|64} when missing or older than the source.
 *
 * <p>Code is loaded at {@link #CODE_BASE} followed by an {@code int3} terminator; the data region
 * is mapped at its given address (page-aligned, at most 16 MiB, default {@link #DATA_BASE}).
 * A completed case has {@code fault == null} and {@code rip == CODE_BASE + code.length}; a
 * signal gives {@link MachineState.Fault} with the state at the fault (rip = faulting
 * instruction for faults, after the instruction for traps); a hang gives a TIMEOUT fault.
 * Syscalls from test code are blocked (SIGSYS via seccomp). fs/gs bases: the case cannot set
 * fs_base (the runner's TLS); in 64-bit mode gs_base is set from the initial state and read back;
 * in 32-bit mode both are reported as 0. Reported rflags keep CF PF AF ZF SF TF DF OF AC ID and
 * bit 1; IF/RF/IOPL are masked off. The returned state's memory is the final data region.
 */
public final class NativeCpu implements AutoCloseable {

    public static final long CODE_BASE = 0x2000_0000L;
    public static final long DATA_BASE = 0x1000_0000L;
    public static final int DEFAULT_DATA_SIZE = 0x2000;
    public static final long DEFAULT_STACK_TOP = DATA_BASE + 0x1F00;
    public static final int MAX_CODE = (1 << 20) - 16;
    public static final int MAX_DATA = 16 << 20;
    public static final int DEFAULT_TIMEOUT_MS = 2000;

    private static final int MAGIC_CASE = 0x45534143, MAGIC_QUIT = 0x54495551;
    private static final int ST_OK = 0, ST_FAULT = 1, ST_TIMEOUT = 2, ST_ERROR = 3;
    private static final int REQ_HDR = 4 + 16 + 8 + 16 * 8 + 8 + 8 + 512;
    private static final int RESP_HDR = 16 + 24 + 16 * 8 + 32 + 512;

    private static final Map<Integer, Path> BUILT = new ConcurrentHashMap<>();

    private final int bits;
    private Process process;
    private OutputStream toRunner;
    private DataInputStream fromRunner;

    public NativeCpu(int bits) {
        if (bits != 32 && bits != 64) throw new IllegalArgumentException("bits must be 32 or 64");
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    /** Runs one case. */
    public MachineState run(TestCase c) {
        return runAll(List.of(c)).getFirst();
    }

    /**
     * Runs all cases in one runner process (requests are streamed by a writer thread while the
     * results are read). If the runner dies (a case corrupted it), throws IllegalStateException
     * naming the case; the next call starts a fresh runner.
     */
    public synchronized List<MachineState> runAll(List<TestCase> cases) {
        for (TestCase c : cases) {
            if (c.bits() != bits) throw new IllegalArgumentException(c + " is not " + bits + "-bit");
            if (c.code().length > MAX_CODE) throw new IllegalArgumentException(c + ": code too long");
            if (c.data().length > MAX_DATA) throw new IllegalArgumentException(c + ": data region too large");
        }
        ensureStarted();
        AtomicReference<Throwable> writeError = new AtomicReference<>();
        OutputStream out = toRunner;
        Thread writer = Thread.ofPlatform().daemon().name("x86runner-writer").start(() -> {
            try {
                for (TestCase c : cases) out.write(encode(c));
                out.flush();
            } catch (Throwable t) {
                writeError.set(t);
            }
        });
        List<MachineState> results = new ArrayList<>(cases.size());
        try {
            for (TestCase c : cases) results.add(readResult(c));
            writer.join();
        } catch (EOFException e) {
            TestCase c = cases.get(results.size());
            String err = describeDeath();
            throw new IllegalStateException("x86runner" + bits + " died while running case #" + results.size()
                    + " " + c + ": " + err, writeError.get() != null ? writeError.get() : e);
        } catch (IOException e) {
            kill();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            kill(); // the stream is out of step now
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new IllegalStateException(e);
        }
        if (writeError.get() != null) {
            kill();
            throw new IllegalStateException("writing to x86runner failed", writeError.get());
        }
        return results;
    }

    private String describeDeath() {
        Process p = process;
        process = null;
        if (p == null) return "no process";
        try {
            p.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String s = p.isAlive() ? "still alive" : "exit code " + p.exitValue();
        p.destroyForcibly();
        return s;
    }

    private void kill() {
        if (process != null) process.destroyForcibly();
        process = null;
    }

    private void ensureStarted() {
        if (process != null && process.isAlive()) return;
        Path bin = binary(bits);
        try {
            process = new ProcessBuilder(bin.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + bin, e);
        }
        toRunner = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
        fromRunner = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
    }

    @Override
    public synchronized void close() {
        Process p = process;
        process = null;
        if (p == null) return;
        try {
            ByteBuffer q = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(MAGIC_QUIT);
            toRunner.write(q.array());
            toRunner.flush();
            toRunner.close();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
        } catch (IOException e) {
            p.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    // ---- encoding ----

    private byte[] encode(TestCase c) {
        MachineState s = c.initial();
        byte[] code = c.code();
        byte[] data = c.data();
        ByteBuffer b = ByteBuffer.allocate(REQ_HDR + code.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC_CASE).putInt(code.length).putInt(data.length)
                .putInt(c.timeoutMs() > 0 ? c.timeoutMs() : DEFAULT_TIMEOUT_MS).putInt(0);
        b.putLong(c.dataAddr());
        long m = s.mask();
        for (int i = 0; i < 16; i++) b.putLong(i < s.gprCount() ? s.gpr[i] & m : 0);
        b.putLong(s.rflags & m).putLong(bits == 64 ? s.gsBase : 0);
        b.put(toFxsave(s));
        b.put(code).put(data);
        return b.array();
    }

    private MachineState readResult(TestCase c) throws IOException {
        byte[] hdr = new byte[RESP_HDR];
        fromRunner.readFully(hdr);
        ByteBuffer b = ByteBuffer.wrap(hdr).order(ByteOrder.LITTLE_ENDIAN);
        int status = b.getInt(), signo = b.getInt(), code = b.getInt(), dataLen = b.getInt();
        long faultAddr = b.getLong(), trapno = b.getLong(), err = b.getLong();
        byte[] data = new byte[dataLen];
        fromRunner.readFully(data);
        if (status == ST_ERROR) {
            throw new IllegalArgumentException("x86runner rejected " + c + ": "
                    + new String(data, StandardCharsets.UTF_8));
        }
        MachineState s = new MachineState(bits);
        long m = s.mask();
        for (int i = 0; i < 16; i++) {
            long v = b.getLong();
            if (i < s.gprCount()) s.gpr[i] = v & m;
        }
        s.rip = b.getLong() & m;
        s.rflags = b.getLong() & m;
        s.fsBase = b.getLong();
        s.gsBase = b.getLong();
        byte[] fx = new byte[512];
        b.get(fx);
        fromFxsave(fx, s);
        s.memory.add(new MachineState.Region(c.dataAddr(), data));
        s.fault = switch (status) {
            case ST_OK -> null;
            case ST_FAULT -> new MachineState.Fault(MachineState.Fault.Kind.SIGNAL, signo, code, faultAddr & m,
                    trapno, err);
            case ST_TIMEOUT -> new MachineState.Fault(MachineState.Fault.Kind.TIMEOUT, signo, code, 0, 0, 0);
            default -> throw new IllegalStateException("bad status " + status);
        };
        return s;
    }

    /** FXSAVE image (legacy 512-byte layout) of the x87/SSE part of a state. */
    public static byte[] toFxsave(MachineState s) {
        ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) s.fcw).putShort(2, (short) s.fsw).put(4, (byte) s.ftw);
        b.putInt(24, s.mxcsr);
        for (int i = 0; i < 8; i++) {
            b.putLong(32 + 16 * i, s.st[i].mantissa()).putShort(40 + 16 * i, (short) s.st[i].signExp());
        }
        int n = s.bits == 64 ? 16 : 8;
        for (int i = 0; i < n; i++) b.putLong(160 + 16 * i, s.xmm[i][0]).putLong(168 + 16 * i, s.xmm[i][1]);
        return b.array();
    }

    /** Reads fcw/fsw/ftw/mxcsr/st/xmm from an FXSAVE image into {@code s}. */
    public static void fromFxsave(byte[] fx, MachineState s) {
        ByteBuffer b = ByteBuffer.wrap(fx).order(ByteOrder.LITTLE_ENDIAN);
        s.fcw = b.getShort(0) & 0xFFFF;
        s.fsw = b.getShort(2) & 0xFFFF;
        s.ftw = b.get(4) & 0xFF;
        s.mxcsr = b.getInt(24);
        for (int i = 0; i < 8; i++) s.st[i] = new Float80(b.getShort(40 + 16 * i) & 0xFFFF, b.getLong(32 + 16 * i));
        int n = s.bits == 64 ? 16 : 8;
        for (int i = 0; i < 16; i++) {
            s.xmm[i][0] = i < n ? b.getLong(160 + 16 * i) : 0;
            s.xmm[i][1] = i < n ? b.getLong(168 + 16 * i) : 0;
        }
    }

    // ---- building the runner ----

    /** The emulator.x86 module directory (surefire's basedir, or the working directory). */
    static Path moduleDir() {
        for (String cand : new String[] {System.getProperty("basedir"), System.getProperty("user.dir"),
                System.getProperty("user.dir") + "/emulator.x86"}) {
            if (cand != null && Files.isRegularFile(Path.of(cand, "src/test/native/x86runner.c"))) {
                return Path.of(cand).toAbsolutePath();
            }
        }
        throw new IllegalStateException("cannot find src/test/native/x86runner.c (basedir="
                + System.getProperty("basedir") + ", user.dir=" + System.getProperty("user.dir") + ")");
    }

    /** Path of the runner binary for {@code bits}, compiling it with gcc if missing or stale. */
    public static Path binary(int bits) {
        return BUILT.computeIfAbsent(bits, NativeCpu::build);
    }

    private static Path build(int bits) {
        Path dir = moduleDir();
        Path src = dir.resolve("src/test/native/x86runner.c");
        Path bin = dir.resolve("target/native/x86runner" + bits);
        try {
            if (Files.isExecutable(bin)
                    && Files.getLastModifiedTime(bin).compareTo(Files.getLastModifiedTime(src)) >= 0) {
                return bin;
            }
            Files.createDirectories(bin.getParent());
            Path tmp = Files.createTempFile(bin.getParent(), "x86runner" + bits, ".tmp");
            Process p = new ProcessBuilder("gcc", "-O2", "-std=gnu11", "-Wall", "-m" + bits, "-fno-stack-protector",
                    "-fno-pie", "-no-pie", "-o", tmp.toString(), src.toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                Files.deleteIfExists(tmp);
                throw new IllegalStateException("gcc -m" + bits + " failed:\n" + log);
            }
            if (!log.isBlank()) System.err.println("gcc -m" + bits + ": " + log);
            Files.move(tmp, bin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return bin;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
