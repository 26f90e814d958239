package plugin.instructions;

import emulator.api.Cpu;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * instructions.log: one line per logged instruction. The static part of a line (pc, address space,
 * bytes, disassembly) is encoded once at translation, so logging an instruction is a byte copy into
 * a large buffer; only the optional registers are formatted per execution.
 *
 * <p>Sampling (every Kth, first N) counts instructions inside the filters. Calls come from vCPU
 * threads, hence the lock; with one vCPU it is never contended.
 */
final class TraceLog implements AutoCloseable {
    static final String FILE = "instructions.log";
    private static final int BUFFER = 1 << 20;

    private final OutputStream out;
    private final boolean registers;
    private final long first, every;
    private final Runnable onLimit;
    private long seen, logged;
    private boolean closed, limitReported;

    /**
     * @param onLimit run once (on the calling vCPU thread) when {@code first} lines are logged, so the
     *                owner can stop instrumenting altogether
     */
    TraceLog(Path dir, boolean registers, long first, long every, Runnable onLimit) throws IOException {
        Files.createDirectories(dir);
        this.out = new BufferedOutputStream(Files.newOutputStream(dir.resolve(FILE)), BUFFER);
        this.registers = registers;
        this.first = first;
        this.every = Math.max(1, every);
        this.onLimit = onLimit;
        out.write(("# pc asid bytes disassembly" + (registers ? " | registers" : "") + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** The static part of an instruction's line, without the line end. */
    static byte[] encode(long pc, long asid, byte[] bytes, String disassembly) {
        StringBuilder sb = new StringBuilder(64);
        sb.append("0x").append(Long.toHexString(pc)).append(' ').append(asid).append(' ');
        for (byte b : bytes) sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        sb.append(' ').append(disassembly);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Called before each instruction inside the filters. */
    void executed(Cpu cpu, byte[] line) {
        boolean limit;
        synchronized (this) {
            if (closed || (first > 0 && logged >= first)) return;
            if (++seen % every != 0) return;
            try {
                out.write(line);
                if (registers) out.write(registers(cpu));
                out.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e); // the engine reports it and disables the plugin
            }
            limit = ++logged == first && !limitReported;
            if (limit) limitReported = true;
        }
        if (limit) onLimit.run();
    }

    private byte[] registers(Cpu cpu) {
        String[] names = logged(cpu);
        StringBuilder sb = new StringBuilder(names.length * 24).append(" |");
        for (String n : names) sb.append(' ').append(n).append("=0x").append(Long.toHexString(cpu.reg(n)));
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private String[] registerNames;

    /**
     * The registers a line shows: the general registers and the flags on x86 (not every sub-register
     * and vector half {@link Cpu#registerNames()} also accepts); every name on other architectures.
     */
    private String[] logged(Cpu cpu) {
        if (registerNames != null) return registerNames;
        List<String> all = cpu.registerNames();
        List<String> chosen = switch (cpu.arch()) {
            case "x86_64" -> concat(all.subList(0, 16), "rflags");
            case "i386" -> concat(all.subList(0, 8), "eflags");
            default -> all;
        };
        return registerNames = chosen.toArray(String[]::new);
    }

    private static List<String> concat(List<String> head, String last) {
        List<String> l = new java.util.ArrayList<>(head);
        l.add(last);
        return l;
    }

    synchronized long logged() { return logged; }

    synchronized boolean limitReached() { return first > 0 && logged >= first; }

    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        out.close();
    }
}
