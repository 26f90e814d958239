package emulator.core.exec;

/** Executable form of a block: runs it on {@code cpu} and returns the next guest pc. */
@FunctionalInterface
public interface CompiledBlock {
    long exec(Vcpu cpu);
}
