package emulator.linuxuser.kernel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What the host says about its terminal, for a guest whose standard streams are that terminal.
 *
 * <p>Whether a host descriptor is a terminal: Java has no isatty, and {@code System.console()}
 * answers for stdin and stdout together; the link {@code /proc/self/fd/N} names the device
 * ({@code /dev/pts/3}, {@code /dev/tty1}, {@code /dev/console}) for a terminal and
 * {@code pipe:[…]}, {@code socket:[…]} or a file path otherwise — one answer per descriptor.
 *
 * <p>The terminal's settings and size: {@code stty -g} and {@code stty size} read them from our
 * standard input (inherited, so they see the very terminal the guest does). stty -g prints
 * iflag:oflag:cflag:lflag:cc0:cc1:… in hex, which is the kernel's struct termios in order. Both are
 * read once and cached (no SIGWINCH reaches the guest anyway).
 */
public final class HostTerminal {
    private static volatile byte[] termios;
    private static volatile int[] size;

    private HostTerminal() {}

    /** Whether host descriptor {@code fd} (0, 1, 2) of this JVM is a terminal. */
    public static boolean isTerminal(int fd) {
        try {
            String t = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty") || t.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The kernel struct termios (36 bytes) of the host terminal on stdin, or null when stty cannot tell. */
    static byte[] termios() {
        byte[] t = termios;
        if (t != null) return t.clone();
        String g = stty("-g");
        if (g == null) return null;
        String[] f = g.strip().split(":");
        if (f.length < 4 + 17) return null;
        ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
        try {
            for (int i = 0; i < 4; i++) b.putInt((int) Long.parseLong(f[i], 16));
            b.put((byte) 0); // c_line: N_TTY
            for (int i = 0; i < 19; i++) b.put((byte) (4 + i < f.length ? Integer.parseInt(f[4 + i], 16) : 0));
        } catch (NumberFormatException e) {
            return null;
        }
        termios = b.array();
        return termios.clone();
    }

    /** [rows, columns] of the host terminal on stdin, or null. */
    static int[] size() {
        int[] s = size;
        if (s != null) return s.clone();
        String out = stty("size");
        if (out == null) return null;
        String[] f = out.strip().split("\\s+");
        try {
            size = new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
        } catch (RuntimeException e) {
            return null;
        }
        return size.clone();
    }

    private static String stty(String arg) {
        try {
            Process p = new ProcessBuilder("stty", arg).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
