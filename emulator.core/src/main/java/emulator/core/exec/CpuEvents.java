package emulator.core.exec;

/**
 * The core's side of CPU events: the instrumentation engine implements it and turns each call into
 * calls of the plugins' {@link emulator.api.instrument.CpuEventListener}s. The default does nothing,
 * so the core runs without an instrumentation bundle.
 */
public interface CpuEvents {
    CpuEvents NONE = new CpuEvents() {};

    default void exception(Vcpu cpu, int vector, long fromPc, long toPc) {}

    default void privilegeChange(Vcpu cpu, int from, int to) {}

    default void addressSpaceSwitch(Vcpu cpu, long oldAsid, long newAsid) {}

    default void syscall(Vcpu cpu) {}
}
