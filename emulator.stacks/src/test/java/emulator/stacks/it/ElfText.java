package emulator.stacks.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The bytes a static ELF64 executable loads at a virtual address: the reference for logged instruction bytes. */
final class ElfText {
    private final ByteBuffer file;

    ElfText(Path elf) throws IOException {
        file = ByteBuffer.wrap(Files.readAllBytes(elf)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The file bytes mapped at {@code vaddr}, or null outside every PT_LOAD segment's file part. */
    byte[] at(long vaddr, int len) {
        long phoff = file.getLong(0x20);
        int phentsize = Short.toUnsignedInt(file.getShort(0x36)), phnum = Short.toUnsignedInt(file.getShort(0x38));
        for (int i = 0; i < phnum; i++) {
            int ph = (int) (phoff + (long) i * phentsize);
            if (file.getInt(ph) != 1) continue; // PT_LOAD
            long offset = file.getLong(ph + 8), va = file.getLong(ph + 16), filesz = file.getLong(ph + 32);
            if (vaddr >= va && vaddr + len <= va + filesz) {
                int from = (int) (offset + vaddr - va);
                return Arrays.copyOfRange(file.array(), from, from + len);
            }
        }
        return null;
    }
}
