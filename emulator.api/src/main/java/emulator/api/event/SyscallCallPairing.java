package emulator.api.event;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Pairs each syscall EXIT with the ENTER of the same thread, so a plugin that consumes syscall events
 * can act once a call completed, with everything both sides said about it. An EXIT with no ENTER
 * (tracing began while the call was under way) stands alone: what the EXIT carries, nothing invented.
 * Not thread-safe: feed it from one EventHandler (EventAdmin delivers one topic in order).
 *
 * <p>It runs for every event a monitor receives, so it copies nothing: the whole call is a view of
 * both sides' properties ({@link SyscallCall#props}), and threads are told apart by small keys, not
 * by strings made for each event.
 */
public final class SyscallCallPairing {
    private final Map<ThreadKey, Map<String, Object>> pending = new HashMap<>();

    /**
     * @param topic the event's topic
     * @param props the event's properties; kept (not copied) while the call is under way, so they must
     *              not change afterwards (EventAdmin's events never do)
     * @return the ENTER alone ({@code completed == false}) or the whole call at EXIT; null for other topics
     */
    public SyscallCall accept(String topic, Map<String, Object> props) {
        return switch (topic) {
            case Topics.SYSCALL_ENTER -> {
                pending.put(threadKey(props), props);
                yield new SyscallCall(props, false);
            }
            case Topics.SYSCALL_EXIT -> {
                // an ENTER made before the OS plugin knew the pid is filed under its address space and stack
                Map<String, Object> enter = pending.remove(threadKey(props));
                if (enter == null) enter = pending.remove(stackKey(props));
                yield new SyscallCall(enter == null ? props : new Merged(enter, props), true);
            }
            default -> null;
        };
    }

    /**
     * The thread that made the call: its tid where the OS plugin knows it, else its pid, else the
     * address space and stack pointer (what an ABI-only tracer pairs ENTER and EXIT by).
     */
    private static ThreadKey threadKey(Map<String, Object> p) {
        Object tid = p.get(Keys.TID);
        if (tid != null) return new ThreadKey(ThreadKey.TID, tid, null);
        Object pid = p.get(Keys.PID);
        if (pid != null) return new ThreadKey(ThreadKey.PID, pid, null);
        return stackKey(p);
    }

    private static ThreadKey stackKey(Map<String, Object> p) { return new ThreadKey(ThreadKey.STACK, p.get(Keys.ASID), p.get(Keys.SP)); }

    /**
     * What identifies a thread, of one kind. Numbers compare by value whatever their boxed type (an
     * Integer tid at the ENTER and a Long one at the EXIT are the same thread).
     */
    private static final class ThreadKey {
        static final int TID = 0, PID = 1, STACK = 2;
        private final int kind;
        private final Object a, b;

        ThreadKey(int kind, Object a, Object b) {
            this.kind = kind;
            this.a = canonical(a);
            this.b = canonical(b);
        }

        private static Object canonical(Object v) {
            return v instanceof Integer || v instanceof Short || v instanceof Byte ? Long.valueOf(((Number) v).longValue()) : v;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ThreadKey k && k.kind == kind && Objects.equals(k.a, a) && Objects.equals(k.b, b);
        }

        @Override
        public int hashCode() { return (kind * 31 + Objects.hashCode(a)) * 31 + Objects.hashCode(b); }
    }

    /**
     * The two sides of a call as one map, the EXIT's properties winning, without copying them: a
     * consumer reads a handful of some twenty properties per call, and copying them all was most of
     * what a monitor spent per event. Iterating it (rare) makes the copy.
     */
    private static final class Merged extends AbstractMap<String, Object> {
        private final Map<String, Object> enter, exit;

        Merged(Map<String, Object> enter, Map<String, Object> exit) {
            this.enter = enter;
            this.exit = exit;
        }

        @Override
        public Object get(Object key) {
            Object v = exit.get(key);
            return v != null || exit.containsKey(key) ? v : enter.get(key);
        }

        @Override
        public boolean containsKey(Object key) { return exit.containsKey(key) || enter.containsKey(key); }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            Map<String, Object> copy = new HashMap<>(enter);
            copy.putAll(exit);
            return Collections.unmodifiableMap(copy).entrySet();
        }
    }
}
