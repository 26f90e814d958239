package emulator.linuxuser.abi;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Errno against the kernel's asm-generic headers and the host C library's strerror. */
class ErrnoTest {

    @Test
    void numbersEqualTheKernelHeaders() throws Exception {
        Path base = Path.of("/usr/include/asm-generic/errno-base.h"), ext = Path.of("/usr/include/asm-generic/errno.h");
        assumeTrue(Files.exists(base) && Files.exists(ext), "linux-libc-dev not installed");
        Map<String, Integer> want = new TreeMap<>();
        Pattern p = Pattern.compile("#define\\s+(E\\w+)\\s+(\\d+)\\b.*");
        for (Path h : new Path[]{base, ext})
            for (String line : Files.readAllLines(h)) {
                Matcher m = p.matcher(line);
                if (m.matches()) want.put(m.group(1), Integer.parseInt(m.group(2)));
            }
        Map<String, Integer> have = new TreeMap<>();
        for (Errno e : Errno.values()) have.put(e.name(), e.number());
        assertEquals(want, have);
        assertEquals(2, Errno.ENOENT.number());
        assertEquals(38, Errno.ENOSYS.number());
        assertEquals(39, Errno.ENOTEMPTY.number());
        assertEquals(40, Errno.ELOOP.number());
        assertEquals(-2, Errno.ENOENT.negated());
        assertEquals(Errno.EAGAIN, Errno.of(Errno.EWOULDBLOCK_NUMBER));
        assertNull(Errno.of(0));
        assertNull(Errno.of(41));   // a hole in the numbering
    }

    @Test
    void messagesEqualTheHostStrerror() throws Exception {
        // python3's os.strerror is the C library's strerror
        Process pr;
        try {
            pr = new ProcessBuilder("python3", "-c",
                    "import os\nfor i in range(0, 140): print(i, os.strerror(i))").start();
        } catch (java.io.IOException noPython) {
            assumeTrue(false, "python3 not installed");
            return;
        }
        String out = new String(pr.getInputStream().readAllBytes());
        assertEquals(0, pr.waitFor());
        int checked = 0;
        for (String line : out.split("\n")) {
            int sp = line.indexOf(' ');
            int n = Integer.parseInt(line.substring(0, sp));
            assertEquals(line.substring(sp + 1), Errno.strerror(n), "strerror(" + n + ")");
            checked++;
        }
        assertEquals(140, checked);
    }

    @Test
    void exceptionCarriesTheErrno() {
        ErrnoException e = new ErrnoException(Errno.ENOENT, "/x");
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("ENOENT: No such file or directory (/x)", e.getMessage());
        assertEquals(0, e.getStackTrace().length);
    }
}
