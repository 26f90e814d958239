package emulator.api.event;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import org.osgi.service.event.Event;

/**
 * An event's properties as a read-only Map, read from the (immutable) event itself instead of copied:
 * a syscall event carries some twenty properties, and copying them all for every event, of which a
 * monitor reads a handful, was a large part of its work per event (what {@link SyscallCallPairing#accept}
 * takes). What {@code get} and iteration see is exactly what the event holds, the topic property
 * included (as {@link Event#getPropertyNames} lists it).
 */
public final class EventView extends AbstractMap<String, Object> {
    private final Event event;
    /** The property names, asked of the event once (it makes a new array each time). */
    private String[] names;

    public EventView(Event event) { this.event = event; }

    private String[] names() {
        String[] n = names;
        return n != null ? n : (names = event.getPropertyNames());
    }

    @Override public int size() { return names().length; }

    @Override public Object get(Object key) { return key instanceof String k ? event.getProperty(k) : null; }

    @Override public boolean containsKey(Object key) { return key instanceof String k && event.containsProperty(k); }

    /** Walked only by a consumer that iterates the properties (the pairing reads single keys). */
    @Override public Set<Entry<String, Object>> entrySet() {
        String[] names = names();
        return new AbstractSet<>() {
            @Override public int size() { return names.length; }

            @Override public Iterator<Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    int next;

                    @Override public boolean hasNext() { return next < names.length; }

                    @Override public Entry<String, Object> next() {
                        if (next >= names.length) throw new NoSuchElementException();
                        String name = names[next++];
                        return new SimpleImmutableEntry<>(name, event.getProperty(name));
                    }
                };
            }
        };
    }
}
