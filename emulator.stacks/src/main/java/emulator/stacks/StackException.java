package emulator.stacks;

/** A stack that cannot be applied: one message naming the file, the plugin and the key. */
final class StackException extends IllegalArgumentException {
    StackException(String message) { super(message); }
}
