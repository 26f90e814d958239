package plugin.files;

import java.util.LinkedHashSet;
import java.util.Set;

/** What happened to one file over the whole trace: for the summary at stop. */
final class FileStats {
    long opens, bytesRead, bytesWritten, reads, writes;
    final Set<String> processes = new LinkedHashSet<>();
}
