package emulator.x86.decode;

/** Where the decoder fetches instruction bytes from. */
@FunctionalInterface
public interface ByteSource {
    /** @return the byte at {@code addr} as 0..255, or -1 if it cannot be fetched (unmapped / not executable). */
    int fetch(long addr);

    /** A source over an array; {@code base} is the guest address of {@code code[0]}; outside the array reads -1. */
    static ByteSource of(byte[] code, long base) {
        return addr -> {
            long i = addr - base;
            return i >= 0 && i < code.length ? code[(int) i] & 0xFF : -1;
        };
    }
}
