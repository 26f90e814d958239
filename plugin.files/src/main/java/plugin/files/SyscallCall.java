package plugin.files;

import emulator.api.event.Keys;
import java.util.Map;

/**
 * One system call as the OS syscall plugin described it: the properties of its ENTER merged with
 * those of its EXIT (the EXIT's win), so a property published on either side is found here.
 */
record SyscallCall(Map<String, Object> props, boolean completed) {

    Object get(String key) { return props.get(key); }

    String string(String key) { return props.get(key) instanceof String s ? s : null; }

    Long number(String key) { return props.get(key) instanceof Number n ? n.longValue() : null; }

    Integer integer(String key) { return props.get(key) instanceof Number n ? n.intValue() : null; }

    Boolean bool(String key) { return props.get(key) instanceof Boolean b ? b : null; }

    /** Failure is a negative return value (the OS plugin's normalized convention); no value means no failure known. */
    boolean failed() {
        Long ret = number(Keys.RET);
        return ret != null && ret < 0;
    }

    long icount() {
        Long ic = number(Keys.ICOUNT);
        return ic == null ? -1 : ic;
    }
}
