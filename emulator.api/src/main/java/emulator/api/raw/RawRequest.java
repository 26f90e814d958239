package emulator.api.raw;

import java.util.List;
import java.util.Map;

/**
 * What to run in raw mode.
 *
 * @param regions   memory to map (read, write and execute) and fill
 * @param registers initial register values by architectural name (others start at 0, flags at their reset value)
 * @param entry     where execution starts
 * @param until     stop before executing this address, or -1 for none
 * @param maxInsns  stop after this many instructions (0: no limit)
 */
public record RawRequest(List<Region> regions, Map<String, Long> registers, long entry, long until, long maxInsns) {
    /**
     * A mapped region.
     *
     * @param addr  start (page-aligned down by the emulator)
     * @param size  bytes to map (rounded up to whole pages)
     * @param bytes initial contents from {@code addr} (may be shorter than size)
     */
    public record Region(long addr, long size, byte[] bytes) {}
}
