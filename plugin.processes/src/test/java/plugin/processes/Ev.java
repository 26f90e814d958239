package plugin.processes;

import emulator.api.event.Keys;
import emulator.api.event.Topics;
import java.util.HashMap;
import java.util.Map;
import org.osgi.service.event.Event;

/** Builds the events an OS syscall plugin publishes, for synthetic sequences in tests. */
final class Ev {
    private final Map<String, Object> p = new HashMap<>();
    private final String topic;

    private Ev(String topic, int pid) {
        this.topic = topic;
        p.put(Keys.PID, pid);
        p.put(Keys.TID, pid);
        p.put(Keys.ASID, 0x1000L + pid);
    }

    static Ev enter(int pid) { return new Ev(Topics.SYSCALL_ENTER, pid); }

    static Ev exit(int pid) { return new Ev(Topics.SYSCALL_EXIT, pid); }

    Ev with(String key, Object value) {
        if (value == null) p.remove(key);
        else p.put(key, value instanceof Integer i && !key.equals(Keys.PID) && !key.equals(Keys.TID) && !key.equals(Keys.PPID)
                && !key.equals(Keys.PROCESS_CHILD) && !key.equals(Keys.PROCESS_STATUS) ? Long.valueOf(i) : value);
        return this;
    }

    Ev tid(int tid) { return with(Keys.TID, tid); }

    Ev ret(long ret) { return with(Keys.RET, ret); }

    Ev file(String op) { return with(Keys.FILE_OP, op); }

    Ev proc(String op) { return with(Keys.PROCESS_OP, op); }

    Event event() { return new Event(topic, p); }
}
