package emulator.core.mem;

/** Page permission bits (the values Linux uses for PROT_*). */
public final class Prot {
    private Prot() {}
    public static final int READ = 1, WRITE = 2, EXEC = 4, RW = READ | WRITE, RX = READ | EXEC, RWX = 7;

    public static String format(int p) {
        return ((p & READ) != 0 ? "r" : "-") + ((p & WRITE) != 0 ? "w" : "-") + ((p & EXEC) != 0 ? "x" : "-");
    }
}
