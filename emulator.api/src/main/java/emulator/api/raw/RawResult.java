package emulator.api.raw;

import java.util.List;
import java.util.Map;

/**
 * The state after a raw run.
 *
 * @param registers  final registers by name, in the architecture's order (general registers, pc, flags, segment bases, vector state)
 * @param changed    memory that differs from the initial contents, as runs of changed bytes
 * @param stop       why it stopped: {@code hlt}, {@code until}, {@code max-insns}, or {@code fault}
 * @param signal     for a fault, the signal a Linux process would get (4 SIGILL, 5 SIGTRAP, 8 SIGFPE, 11 SIGSEGV), else 0
 * @param faultAddr  for a page fault, the address; else 0
 * @param icount     instructions executed
 * @param json       all of the above, plus x87 and SSE state, as the {@code raw} command prints it
 */
public record RawResult(Map<String, Long> registers, List<RawRequest.Region> changed, String stop, int signal,
                        long faultAddr, long icount, String json) {}
