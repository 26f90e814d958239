package emulator.x86.raw;

import emulator.api.launch.BatchCommand;
import emulator.api.raw.RawRequest;
import emulator.api.raw.RawResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/** {@code abiscope raw}: run x86 code mapped at fixed addresses and print the final state as JSON. */
@Component(service = BatchCommand.class, immediate = true)
public final class RawCommand implements BatchCommand {
    @Override public String name() { return "raw"; }

    @Override public String summary() { return "Run raw x86 code (shellcode, instruction tests) and print the final state as JSON"; }

    @Override
    public String usage() {
        return """
            raw --arch x86_64|i386 --load FILE@ADDR [--load FILE@ADDR]... [--map ADDR:SIZE]...
                [--reg NAME=VALUE]... [--entry ADDR] [--until hlt|ADDR] [--max-insns N]
              Maps each FILE at ADDR (read/write/execute) and each --map region zero-filled, sets the
              registers (rax…r15 / eax…edi, rflags, fs_base, gs_base, mxcsr, xmmN.lo/.hi), starts at
              --entry (default: the first --load address) and runs until hlt (default), the --until
              address, N instructions, or a fault. Prints the general registers, rip/eip, rflags,
              x87 and SSE state, FS/GS bases, the memory that changed and the fault, as JSON.
              Numbers are decimal or 0x-hex. Exit status: 0 when stopped by hlt/--until/--max-insns,
              1 on a guest fault, 2 on a usage error.""";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        String arch = null;
        List<RawRequest.Region> regions = new ArrayList<>();
        Map<String, Long> regs = new LinkedHashMap<>();
        long entry = -1, until = -1, max = 0;
        try {
            for (int k = 0; k < args.size(); k++) {
                String a = args.get(k);
                String v = k + 1 < args.size() ? args.get(k + 1) : null;
                switch (a) {
                    case "--arch" -> { arch = need(a, v); k++; }
                    case "--load" -> {
                        String s = need(a, v); k++;
                        int at = s.lastIndexOf('@');
                        if (at < 0) throw new IllegalArgumentException("--load needs FILE@ADDR: " + s);
                        Path f = Path.of(s.substring(0, at));
                        if (!Files.isRegularFile(f)) throw new IllegalArgumentException("no such file: " + f);
                        byte[] bytes = Files.readAllBytes(f);
                        long addr = num(s.substring(at + 1));
                        regions.add(new RawRequest.Region(addr, bytes.length, bytes));
                        if (entry < 0) entry = addr;
                    }
                    case "--map" -> {
                        String s = need(a, v); k++;
                        int c = s.indexOf(':');
                        if (c < 0) throw new IllegalArgumentException("--map needs ADDR:SIZE: " + s);
                        regions.add(new RawRequest.Region(num(s.substring(0, c)), num(s.substring(c + 1)), null));
                    }
                    case "--reg" -> {
                        String s = need(a, v); k++;
                        int eq = s.indexOf('=');
                        if (eq < 0) throw new IllegalArgumentException("--reg needs NAME=VALUE: " + s);
                        regs.put(s.substring(0, eq), num(s.substring(eq + 1)));
                    }
                    case "--entry" -> { entry = num(need(a, v)); k++; }
                    case "--until" -> { String s = need(a, v); k++; until = s.equals("hlt") ? -1 : num(s); }
                    case "--max-insns" -> { max = num(need(a, v)); k++; }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (arch == null) throw new IllegalArgumentException("--arch is required");
            if (!arch.equals("x86_64") && !arch.equals("i386")) throw new IllegalArgumentException("unknown --arch " + arch + " (x86_64 or i386)");
            if (regions.isEmpty() || entry < 0) throw new IllegalArgumentException("nothing to run: give --load FILE@ADDR");
        } catch (IllegalArgumentException e) {
            err.println("abiscope raw: " + e.getMessage());
            err.println(usage());
            return 2;
        }
        RawX86 emu = new RawX86(arch.equals("x86_64"));
        try {
            RawResult r = emu.run(new RawRequest(regions, regs, entry, until, max));
            out.println(r.json());
            return r.stop().equals("fault") ? 1 : 0;
        } catch (IllegalArgumentException e) {
            err.println("abiscope raw: " + e.getMessage());
            return 2;
        }
    }

    private static String need(String opt, String v) {
        if (v == null) throw new IllegalArgumentException(opt + " needs a value");
        return v;
    }

    static long num(String s) {
        try {
            s = s.trim().replace("_", "");
            return s.startsWith("0x") || s.startsWith("0X") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: " + s);
        }
    }
}
