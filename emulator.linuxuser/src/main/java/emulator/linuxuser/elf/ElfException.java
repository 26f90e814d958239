package emulator.linuxuser.elf;

import java.io.IOException;

/** A file that is not a well-formed ELF image this loader accepts; the message says why, once. */
public class ElfException extends IOException {
    private static final long serialVersionUID = 1L;

    public ElfException(String message) {
        super(message);
    }
}
