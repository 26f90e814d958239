package emulator.api.event;

import java.util.HashMap;
import java.util.Map;

/**
 * Pairs each syscall EXIT with the ENTER of the same thread, so a plugin that consumes syscall events
 * can act once a call completed, with everything both sides said about it. An EXIT with no ENTER
 * (tracing began while the call was under way) stands alone: what the EXIT carries, nothing invented.
 * Not thread-safe: feed it from one EventHandler (EventAdmin delivers one topic in order).
 */
public final class SyscallCallPairing {
    private final Map<String, Map<String, Object>> pending = new HashMap<>();

    /**
     * @param topic the event's topic
     * @param props the event's properties
     * @return the ENTER alone ({@code completed == false}) or the whole call at EXIT; null for other topics
     */
    public SyscallCall accept(String topic, Map<String, Object> props) {
        String key = threadKey(props);
        return switch (topic) {
            case Topics.SYSCALL_ENTER -> {
                pending.put(key, props);
                yield new SyscallCall(props, false);
            }
            case Topics.SYSCALL_EXIT -> {
                // an ENTER made before the OS plugin knew the pid is filed under its address space and stack
                Map<String, Object> enter = pending.remove(key);
                if (enter == null) enter = pending.remove(stackKey(props));
                if (enter == null) yield new SyscallCall(props, true);
                Map<String, Object> merged = new HashMap<>(enter);
                merged.putAll(props);
                yield new SyscallCall(merged, true);
            }
            default -> null;
        };
    }

    /**
     * The thread that made the call: its tid where the OS plugin knows it, else its pid, else the
     * address space and stack pointer (what an ABI-only tracer pairs ENTER and EXIT by).
     */
    private static String threadKey(Map<String, Object> p) {
        if (p.get(Keys.TID) != null) return "tid " + p.get(Keys.TID);
        if (p.get(Keys.PID) != null) return "pid " + p.get(Keys.PID);
        return stackKey(p);
    }

    private static String stackKey(Map<String, Object> p) { return "asid " + p.get(Keys.ASID) + " sp " + p.get(Keys.SP); }
}
