package emulator.core.mem;

/** Told when guest code pages are written (self-modifying code) or unmapped, to invalidate blocks. */
public interface CodeWriteListener {
    void codePageChanged(long pageAddr);
}
