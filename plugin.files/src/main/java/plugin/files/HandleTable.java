package plugin.files;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The handles of one process. A handle missing from the table is <em>unknown</em>, not closed: the
 * tracer may have started after it was opened, or it came from a call without file semantics. That
 * is what keeps a path from ever being wrong: we only name handles whose open we saw.
 */
final class HandleTable {
    /** A hash map: looked up at every read and write (sorted only for the listing, {@link #view}). */
    private final Map<Long, OpenHandle> handles = new HashMap<>();
    /** Handles this process opened, duplicated or closed itself: a late inheritance must not override them. */
    private final Set<Long> touched = new HashSet<>();
    private boolean inherited;

    OpenHandle get(long handle) { return handles.get(handle); }

    /** The handles in ascending order (files:open lists them so). */
    Map<Long, OpenHandle> view() { return Collections.unmodifiableMap(new TreeMap<>(handles)); }

    /** @return the handle this replaced (dup over an open handle closes it implicitly), or null */
    OpenHandle put(long handle, OpenHandle h) {
        touched.add(handle);
        return h.path() == null ? handles.remove(handle) : handles.put(handle, h);
    }

    OpenHandle remove(long handle) {
        touched.add(handle);
        return handles.remove(handle);
    }

    /** A forked child's table: a copy of this one. */
    HandleTable forChild() {
        HandleTable child = new HandleTable();
        child.handles.putAll(handles);
        child.inherited = true;
        return child;
    }

    boolean inherited() { return inherited; }

    /**
     * The parent's fork completed after the child had already run: take the parent's handles, except
     * those the child has changed itself since.
     */
    void inheritLate(HandleTable parent) {
        for (Map.Entry<Long, OpenHandle> e : parent.handles.entrySet()) {
            if (!touched.contains(e.getKey())) handles.put(e.getKey(), e.getValue());
        }
        inherited = true;
    }

    /**
     * A successful exec closes close-on-exec handles. A handle whose flag we do not know is dropped
     * too: it may be gone, and then its number may be reused by a call we cannot see.
     */
    void exec() {
        handles.values().removeIf(h -> !Boolean.FALSE.equals(h.cloexec()));
    }
}
