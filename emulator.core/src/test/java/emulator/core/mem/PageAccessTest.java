package emulator.core.mem;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link PageAccess} in both of its modes, against the JDK's own little-endian {@link ByteBuffer}:
 * unchecked in this JVM (the tests run with the flag {@code ./abiscope} passes, so every guest-code
 * suite exercises the path users run), and checked in a child JVM started without it.
 */
class PageAccessTest {
    @Test
    void uncheckedUnderTheSettingsAbiscopeRunsWith() {
        assertEquals("allow", System.getProperty("sun.misc.unsafe.memory.access"),
                "surefire's argLine must pass --sun-misc-unsafe-memory-access=allow, as ./abiscope does");
        assertTrue(PageAccess.UNCHECKED);
        assertEquals("ok", exercise());
    }

    @Test
    void checkedWithoutThem() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), PageAccessTest.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor(), out);
        assertEquals("unchecked=false ok", out, "the child's stdout and stderr (no Unsafe warning expected)");
    }

    /**
     * In a framework that does not export sun.misc (the bundle imports it optionally), the class
     * still loads and falls back to checked accesses: here a class loader that hides sun.misc
     * loads PageAccess and this test's exercise afresh.
     */
    @Test
    void checkedWhereSunMiscIsMissing() throws Exception {
        java.net.URL[] path = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(p -> { try { return java.nio.file.Path.of(p).toUri().toURL(); } catch (Exception e) { throw new IllegalStateException(e); } })
                .toArray(java.net.URL[]::new);
        try (var loader = new java.net.URLClassLoader(path, ClassLoader.getPlatformClassLoader()) {
            @Override protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith("sun.misc.")) throw new ClassNotFoundException(name + " (hidden by the test)");
                return super.loadClass(name, resolve);
            }
        }) {
            Class<?> test = Class.forName(PageAccessTest.class.getName(), true, loader);
            assertNotSame(PageAccessTest.class, test, "loaded afresh");
            // (through this class's methods: reflecting on PageAccess's fields would load their types)
            var unchecked = test.getDeclaredMethod("unchecked");
            unchecked.setAccessible(true);
            assertEquals(false, unchecked.invoke(null));
            var exercise = test.getDeclaredMethod("exercise");
            exercise.setAccessible(true);
            assertEquals("ok", exercise.invoke(null));
        }
    }

    static boolean unchecked() { return PageAccess.UNCHECKED; }

    /** The child JVM: reports its mode and the same exercise. */
    public static void main(String[] args) {
        System.out.println("unchecked=" + PageAccess.UNCHECKED + " " + exercise());
    }

    /** The signed value of {@code size} bytes at {@code off}, as the JDK reads it. */
    static long reference(ByteBuffer ref, int size, int off) {
        return switch (size) {
            case 1 -> ref.get(off);
            case 2 -> ref.getShort(off);
            case 4 -> ref.getInt(off);
            default -> ref.getLong(off);
        };
    }

    /** Random reads and writes of every size at every offset class of a page, and table lookups; "ok" or the first difference. */
    static String exercise() {
        SplittableRandom rnd = new SplittableRandom(7);
        byte[] page = new byte[AddressSpace.PAGE_SIZE];
        rnd.nextBytes(page);
        ByteBuffer ref = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < 20_000; k++) {
            int size = 1 << rnd.nextInt(4), off = rnd.nextInt(AddressSpace.PAGE_SIZE - size + 1);
            long v = rnd.nextLong();
            long want = reference(ref, size, off);
            long got = switch (size) {
                case 1 -> PageAccess.getByte(page, off);
                case 2 -> (short) PageAccess.getShort(page, off);
                case 4 -> PageAccess.getInt(page, off);
                default -> PageAccess.getLong(page, off);
            };
            if (got != want) return "read of " + size + " at " + off + ": " + got + " != " + want;
            switch (size) {
                case 1 -> PageAccess.putByte(page, off, (byte) v);
                case 2 -> PageAccess.putShort(page, off, (short) v);
                case 4 -> PageAccess.putInt(page, off, (int) v);
                default -> PageAccess.putLong(page, off, v);
            }
            long back = reference(ref, size, off);
            long written = switch (size) {
                case 1 -> (byte) v;
                case 2 -> (short) v;
                case 4 -> (int) v;
                default -> v;
            };
            if (back != written) return "write of " + size + " at " + off + ": " + back + " != " + written;
        }
        byte[][] table = new byte[Tlb.SIZE][];
        for (int n : List.of(0, 1, 511, Tlb.SIZE - 1)) {
            table[n] = new byte[1];
            if (PageAccess.page(table, n) != table[n]) return "table entry " + n;
            if (n > 0 && PageAccess.page(table, n - 1) != table[n - 1]) return "table entry " + (n - 1);
        }
        return "ok";
    }
}
