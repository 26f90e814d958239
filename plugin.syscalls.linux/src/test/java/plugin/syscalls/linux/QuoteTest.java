package plugin.syscalls.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import plugin.syscalls.linux.decode.Quote;

/** Escapes as strace 6.1 printed them for real calls (lines copied from native strace runs here). */
class QuoteTest {
    static String q(byte[] b) { return Quote.quote(b, 0, b.length, false); }

    @Test
    void octalEscapesAreMinimalUnlessADigitFollows() {
        // read(3, "\177ELF\2\1\1\3\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0\20t\2\0...", 832) from the dynamic loader
        byte[] elf = {0x7f, 'E', 'L', 'F', 2, 1, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, '>', 0, 1, 0, 0, 0, 0x10, 't', 2, 0};
        assertEquals("\"\\177ELF\\2\\1\\1\\3\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0>\\0\\1\\0\\0\\0\\20t\\2\\0\"", q(elf));
        assertEquals("\"\\0001\"", q(new byte[] {0, '1'}));
        assertEquals("\"one two\\nthree\\n\"", q("one two\nthree\n".getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void forcedHexAsForGetrandom() {
        byte[] b = {0x04, 0x07, 0x18, (byte) 0x99};
        assertEquals("\"\\x04\\x07\\x18\\x99\"", Quote.quote(b, 0, b.length, true));
    }
}
