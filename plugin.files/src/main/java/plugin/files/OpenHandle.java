package plugin.files;

/**
 * What a process's handle refers to.
 *
 * @param path    the name it was opened by (for an object with no name, its kind and number, e.g.
 *                {@code <pipe #2>}), or null when unknown (not seen opened: before tracing began, inherited
 *                from whoever started the first process, or made by a call with no file semantics)
 * @param access  READ, WRITE, READ_WRITE, or null when unknown
 * @param cloexec whether exec closes it; null when the OS plugin did not say
 */
record OpenHandle(String path, String access, Boolean cloexec) {}
