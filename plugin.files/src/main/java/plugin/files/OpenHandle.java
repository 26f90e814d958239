package plugin.files;

/**
 * What a process's handle refers to.
 *
 * @param path    the name it was opened by, or null when unknown (opened before tracing began, or by
 *                a call with no file semantics such as a pipe or socket)
 * @param access  READ, WRITE, READ_WRITE, or null when unknown
 * @param cloexec whether exec closes it; null when the OS plugin did not say
 */
record OpenHandle(String path, String access, Boolean cloexec) {}
