package plugin.files;

/** One process as the file tracker knows it: its handles and the name of its program image. */
final class ProcessFiles {
    final String id;
    HandleTable handles;
    String image;
    /** We saw this child return from fork, but not yet its parent's fork return. */
    boolean awaitingParent;

    ProcessFiles(String id, HandleTable handles, String image) {
        this.id = id;
        this.handles = handles;
        this.image = image;
    }

    /** The image's last path element, as the log shows it; {@code ?} before we saw an exec or fork. */
    String imageName() {
        if (image == null) return "?";
        int slash = image.lastIndexOf('/');
        return slash >= 0 && slash < image.length() - 1 ? image.substring(slash + 1) : image;
    }
}
