package plugin.instructions;

import java.util.ArrayList;
import java.util.List;

/** A set of half-open guest address ranges, parsed from {@code START-END} strings (hex). */
final class AddressRanges {
    private final long[] starts, ends;

    private AddressRanges(long[] starts, long[] ends) {
        this.starts = starts;
        this.ends = ends;
    }

    /** @throws IllegalArgumentException naming the bad entry */
    static AddressRanges parse(String[] specs) {
        List<long[]> list = new ArrayList<>();
        for (String spec : specs) {
            if (spec == null || spec.isBlank()) continue;
            int dash = spec.indexOf('-', 1);
            if (dash < 0) throw new IllegalArgumentException("ranges: '" + spec + "' is not START-END (hex)");
            long s = hex(spec.substring(0, dash), spec), e = hex(spec.substring(dash + 1), spec);
            if (Long.compareUnsigned(s, e) >= 0)
                throw new IllegalArgumentException("ranges: '" + spec + "' ends before it starts");
            list.add(new long[] {s, e});
        }
        long[] starts = new long[list.size()], ends = new long[list.size()];
        for (int i = 0; i < list.size(); i++) { starts[i] = list.get(i)[0]; ends[i] = list.get(i)[1]; }
        return new AddressRanges(starts, ends);
    }

    private static long hex(String s, String spec) {
        String t = s.trim();
        if (t.startsWith("0x") || t.startsWith("0X")) t = t.substring(2);
        try {
            return Long.parseUnsignedLong(t, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ranges: '" + spec + "': '" + s.trim() + "' is not a hex address");
        }
    }

    boolean isEmpty() { return starts.length == 0; }

    /** Whether {@code pc} is in a range; an empty set includes every address. */
    boolean includes(long pc) {
        if (starts.length == 0) return true;
        for (int i = 0; i < starts.length; i++)
            if (Long.compareUnsigned(pc, starts[i]) >= 0 && Long.compareUnsigned(pc, ends[i]) < 0) return true;
        return false;
    }
}
