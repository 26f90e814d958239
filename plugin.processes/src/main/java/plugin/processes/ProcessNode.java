package plugin.processes;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** One process or thread as the tree knows it. */
final class ProcessNode {
    /** One successful exec: when, and what it loaded. */
    record Exec(long icount, String image, List<String> argv) {}

    final int pid;
    /** Order of first sight: lanes of the timeline, and pid mapping in tests. */
    final int order;
    Integer ppid;
    boolean thread;
    /** We saw the fork or clone that made it (not a process found in mid-run). */
    boolean createSeen;
    /** We saw it return 0 from fork or clone (its own side of its creation). */
    boolean childSideSeen;
    /** First met at a successful exec: not created under our eyes, but seen from its program's start. */
    boolean startSeen;
    String image;
    List<String> argv = List.of();
    long createdIcount = -1, exitIcount = -1;
    Integer status;
    boolean exited;
    final List<Exec> execs = new ArrayList<>();
    final Set<Long> asids = new LinkedHashSet<>();

    ProcessNode(int pid, int order) {
        this.pid = pid;
        this.order = order;
    }

    String imageName() {
        if (image == null) return "?";
        int slash = image.lastIndexOf('/');
        return slash >= 0 && slash < image.length() - 1 ? image.substring(slash + 1) : image;
    }
}
