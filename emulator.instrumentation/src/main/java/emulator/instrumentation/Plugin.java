package emulator.instrumentation;

import emulator.api.instrument.InlineCounter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One plugin service the engine tracks: its name for logs and {@code instr:list}, whether it is
 * still enabled (a throwing plugin is disabled), and how often its callbacks ran.
 */
final class Plugin {
    final String name;
    final Object service;
    final AtomicBoolean enabled = new AtomicBoolean(true);
    /** Calls of this plugin's callbacks, counted inline by generated code. */
    final InlineCounter calls = new InlineCounter();
    volatile int callbacksRegistered;

    Plugin(String name, Object service) {
        this.name = name;
        this.service = service;
    }

    @Override public String toString() { return name; }
}
