package emulator.api.event;

import java.util.Map;

/**
 * One system call as an OS syscall plugin described it: the properties of its
 * {@link Topics#SYSCALL_ENTER} merged with those of its {@link Topics#SYSCALL_EXIT} (the EXIT's win),
 * so a property published on either side is found here. Made by {@link SyscallCallPairing}.
 *
 * @param props     the merged event properties (keys from {@link Keys})
 * @param completed false for an ENTER alone, true once the EXIT arrived
 */
public record SyscallCall(Map<String, Object> props, boolean completed) {

    /** A property, or null. */
    public Object get(String key) { return props.get(key); }

    /** A String property, or null. */
    public String string(String key) { return props.get(key) instanceof String s ? s : null; }

    /** A numeric property as a Long, or null. */
    public Long number(String key) { return props.get(key) instanceof Number n ? n.longValue() : null; }

    /** A numeric property as an Integer, or null. */
    public Integer integer(String key) { return props.get(key) instanceof Number n ? n.intValue() : null; }

    /** A Boolean property, or null. */
    public Boolean bool(String key) { return props.get(key) instanceof Boolean b ? b : null; }

    /** Failure is a negative return value (the OS plugins' normalized convention); no value means no failure known. */
    public boolean failed() {
        Long ret = number(Keys.RET);
        return ret != null && ret < 0;
    }

    /** The guest instruction count at the event, or -1. */
    public long icount() {
        Long ic = number(Keys.ICOUNT);
        return ic == null ? -1 : ic;
    }
}
