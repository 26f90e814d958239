package emulator.core.exec;

/**
 * Executable form of a block: runs it on {@code cpu} and returns the next guest pc.
 *
 * <p>An abstract class, not an interface: the execution loop's call site sees hundreds of generated
 * classes, and a megamorphic virtual call is one load from the class's vtable, where an interface
 * call searches the class's itable on every dispatch (7 % of gzip's time went to that search).
 */
public abstract class CompiledBlock {
    public abstract long exec(Vcpu cpu);
}
