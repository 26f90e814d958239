package emulator.core.backend;

import emulator.core.exec.Vcpu;
import emulator.core.ir.CallbackRef;
import emulator.core.spi.Instrumentation;

/** What both backends do when a plugin callback throws: report it to the engine; the guest goes on. */
public final class Callbacks {
    private Callbacks() {}

    public static void failed(Vcpu cpu, CallbackRef ref, Throwable error) {
        Instrumentation i = cpu.machine.instrumentation();
        if (i != null) i.callbackFailed(ref.owner(), error);
        else System.err.println("abiscope: callback of " + ref.owner() + " failed: " + error);
    }

    /** Generated code's entry: the ref is class data, the error was caught around the call. */
    public static void failed(Vcpu cpu, Object ref, Throwable error) { failed(cpu, (CallbackRef) ref, error); }
}
