package emulator.linuxuser.abi;

import emulator.linuxuser.abi.SyscallTable.Abi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The committed tables against the kernel headers installed here, and against facts. */
class SyscallTablesTest {
    static final Path MODULE = Files.isDirectory(Path.of("scripts")) ? Path.of("") : Path.of("emulator.linuxuser");
    static final String X64 = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h";
    static final String X32 = "/usr/include/x86_64-linux-gnu/asm/unistd_32.h";
    static final String ARM = "/usr/arm-linux-gnueabihf/include/asm/unistd-eabi.h";

    /** An independent reading of a plain unistd header: "#define __NR_name value" lines. */
    static Map<Integer, String> parseHeader(String header, Pattern p) throws Exception {
        Map<Integer, String> m = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of(header))) {
            Matcher x = p.matcher(line);
            if (x.matches()) assertNull(m.put(Integer.parseInt(x.group(2)), x.group(1)), line);
        }
        return m;
    }

    @Test
    void x86TablesEqualTheInstalledHeaders() throws Exception {
        assumeTrue(Files.exists(Path.of(X64)) && Files.exists(Path.of(X32)), "linux-libc-dev not installed");
        Pattern plain = Pattern.compile("#define __NR_(\\w+) (\\d+)");
        assertEquals(parseHeader(X64, plain), SyscallTable.of(Abi.X86_64).asMap());
        assertEquals(parseHeader(X32, plain), SyscallTable.of(Abi.I386).asMap());
    }

    @Test
    void armTableEqualsTheInstalledHeader() throws Exception {
        assumeTrue(Files.exists(Path.of(ARM)), "linux-libc-dev-armhf-cross not installed");
        Map<Integer, String> want = parseHeader(ARM, Pattern.compile("#define __NR_(\\w+)\\s+\\(__NR_SYSCALL_BASE \\+ (\\d+)\\)"));
        // ARM-private calls from asm/unistd.h: __ARM_NR_BASE = 0x0f0000
        Map<String, Integer> priv = Map.of("breakpoint", 1, "cacheflush", 2, "usr26", 3, "usr32", 4, "set_tls", 5, "get_tls", 6);
        priv.forEach((n, off) -> want.put(0x0f0000 + off, n));
        assertEquals(want, SyscallTable.of(Abi.ARM_EABI).asMap());
        assertEquals(SyscallTable.of(Abi.ARM_EABI).number("arm_sync_file_range"), SyscallTable.of(Abi.ARM_EABI).number("sync_file_range2"));
    }

    @Test
    void regeneratingFromTheHeadersGivesTheCommittedSource(@TempDir Path out) throws Exception {
        assumeTrue(Files.exists(Path.of(X64)) && Files.exists(Path.of("/usr/aarch64-linux-gnu/include/asm/unistd.h"))
                && Files.exists(Path.of(ARM)), "kernel headers for all four ABIs not installed");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, MODULE.resolve("scripts/SyscallTableGenerator.java").toString(),
                "--out", out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);
        String generated = Files.readString(out.resolve("emulator/api/linux/SyscallNumbers.java"));
        String committed = Files.readString(MODULE.toAbsolutePath().getParent().resolve("emulator.api").resolve("src/main/java/emulator/api/linux/SyscallNumbers.java"));
        // package versions may move without the table changing; the tables themselves must be equal
        assertEquals(stripSources(committed), stripSources(generated),
                "regenerate: java emulator.linuxuser/scripts/SyscallTableGenerator.java");
        // and the generator can emit the same tables for another bundle
        Process q = new ProcessBuilder(java, MODULE.resolve("scripts/SyscallTableGenerator.java").toString(),
                "--package", "plugin.syscalls.linux", "--class", "LinuxSyscallNumbers", "--out", "-").start();
        String other = new String(q.getInputStream().readAllBytes());
        assertTrue(q.waitFor(120, TimeUnit.SECONDS));
        assertTrue(other.contains("package plugin.syscalls.linux;") && other.contains("public final class LinuxSyscallNumbers"));
    }

    static String stripSources(String s) {
        return String.join("\n", s.lines().filter(l -> !l.startsWith("// Sources:")).toList());
    }

    @Test
    void knownNumbers() {
        SyscallTable x64 = SyscallTable.of(Abi.X86_64), x32 = SyscallTable.of(Abi.I386),
                arm = SyscallTable.of(Abi.ARM_EABI), a64 = SyscallTable.of(Abi.AARCH64);
        assertEquals("read", x64.name(0));
        assertEquals(59, x64.number("execve"));
        assertEquals(231, x64.number("exit_group"));
        assertEquals(158, x64.number("arch_prctl"));
        assertEquals(1, x32.number("exit"));
        assertEquals(11, x32.number("execve"));
        assertEquals(102, x32.number("socketcall"));
        assertEquals(243, x32.number("set_thread_area"));
        assertEquals(192, x32.number("mmap2"));
        assertEquals(3, arm.number("read"));
        assertEquals(0xf0005, arm.number("set_tls"));
        assertEquals(63, a64.number("read"));
        assertEquals(64, a64.number("write"));
        assertEquals(56, a64.number("openat"));
        assertEquals(93, a64.number("exit"));
        assertEquals(94, a64.number("exit_group"));
        assertEquals(220, a64.number("clone"));
        assertEquals(221, a64.number("execve"));
        assertEquals(222, a64.number("mmap"));
        assertEquals(214, a64.number("brk"));
        assertEquals(79, a64.number("newfstatat"));
        assertEquals(-1, a64.number("open"));   // asm-generic has no legacy open/fork
        assertEquals(-1, a64.number("fork"));
        assertNull(a64.name(244));             // arch_specific_syscall is a range base, not a call
        assertEquals("syscall_9999", x64.nameOrNumber(9999));
        for (Abi abi : Abi.values()) assertTrue(SyscallTable.of(abi).size() > 290, abi.toString());
        assertEquals(List.of(), x64.asMap().values().stream().filter(n -> !n.matches("[a-z0-9_]+")).toList());
    }
}
