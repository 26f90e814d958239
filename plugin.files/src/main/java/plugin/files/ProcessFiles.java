package plugin.files;

/** One process as the file tracker knows it: its handles and the name of its program image. */
final class ProcessFiles {
    final String id;
    /** The pid the JSON records carry: {@link #id} as a number, or null for a process known only by its address space. */
    final Integer pid;
    HandleTable handles;
    String image;
    /** We saw this child return from fork, but not yet its parent's fork return. */
    boolean awaitingParent;

    // Every log line and every transfer's statistics name the process: derived once per image, not per operation.
    private boolean named;
    private String namedImage, label, logPrefix;
    private boolean unknownKeyMade;
    private Long unknownKeyHandle;
    private String unknownKey;

    ProcessFiles(String id, HandleTable handles, String image) {
        this.id = id;
        this.pid = id.startsWith("asid") ? null : Integer.valueOf(id);
        this.handles = handles;
        this.image = image;
    }

    /** The image's last path element, as the log shows it; {@code ?} before we saw an exec or fork. */
    String imageName() {
        if (image == null) return "?";
        int slash = image.lastIndexOf('/');
        return slash >= 0 && slash < image.length() - 1 ? image.substring(slash + 1) : image;
    }

    /** {@code id image}, as the summary lists the processes that used a file. */
    String label() {
        name();
        return label;
    }

    /** {@code [id image] }, the start of each of its log lines. */
    String logPrefix() {
        name();
        return logPrefix;
    }

    private void name() {
        if (named && namedImage == image) return;
        String imageName = imageName();
        label = id + " " + imageName;
        logPrefix = "[" + label + "] ";
        namedImage = image;
        named = true;
    }

    /** The summary's name for a handle of this process whose open we did not see (the last one asked is kept). */
    String unknownFileKey(Long handle) {
        if (!unknownKeyMade || !java.util.Objects.equals(handle, unknownKeyHandle)) {
            unknownKey = "? (handle " + FileTracker.hex(handle) + " of pid " + id + ", not seen opened)";
            unknownKeyHandle = handle;
            unknownKeyMade = true;
        }
        return unknownKey;
    }
}
