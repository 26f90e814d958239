package testing.strace;

import emulator.api.event.Keys;
import emulator.api.event.Topics;
import java.util.HashMap;
import java.util.Map;
import org.osgi.service.event.Event;

/** Builds the events an OS syscall plugin publishes, for synthetic sequences in tests. */
public final class SyscallEvents {
    private final Map<String, Object> p = new HashMap<>();
    private final String topic;

    private SyscallEvents(String topic, int pid) {
        this.topic = topic;
        p.put(Keys.PID, pid);
        p.put(Keys.TID, pid);
        p.put(Keys.ASID, 0x1000L + pid);
    }

    public static SyscallEvents enter(int pid) { return new SyscallEvents(Topics.SYSCALL_ENTER, pid); }

    public static SyscallEvents exit(int pid) { return new SyscallEvents(Topics.SYSCALL_EXIT, pid); }

    public SyscallEvents with(String key, Object value) {
        if (value == null) p.remove(key);
        else p.put(key, value instanceof Integer i && !key.equals(Keys.PID) && !key.equals(Keys.TID) && !key.equals(Keys.PPID)
                && !key.equals(Keys.PROCESS_CHILD) && !key.equals(Keys.PROCESS_STATUS) ? Long.valueOf(i) : value);
        return this;
    }

    public SyscallEvents tid(int tid) { return with(Keys.TID, tid); }

    public SyscallEvents ret(long ret) { return with(Keys.RET, ret); }

    public SyscallEvents file(String op) { return with(Keys.FILE_OP, op); }

    public SyscallEvents proc(String op) { return with(Keys.PROCESS_OP, op); }

    public Event event() { return new Event(topic, p); }
}
