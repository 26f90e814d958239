package emulator.linuxuser.kernel;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;

/**
 * CPU time and memory use of guest processes, for getrusage, times and wait4's rusage. A guest
 * thread's CPU time is its vCPU host thread's (ThreadMXBean): user time is everything the JVM
 * counts as user time for that thread (translation included), system time is the host kernel
 * time that thread spent (its file and pipe I/O). Threads that ended add their totals to their
 * process; a reaped child adds its own and its children's totals to the parent (as Linux does at
 * wait time). Max RSS is the peak of mapped guest memory seen at exit and at each getrusage —
 * every mapped page is resident here (pages are allocated when mapped).
 */
final class Accounting {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private Accounting() {}

    /** Nanoseconds [user, system] of a live host thread; zeros when the JVM cannot measure it. */
    static long[] threadTimes(Thread h) {
        if (h == null || !MX.isThreadCpuTimeSupported()) return new long[2];
        long id = h.threadId();
        long cpu = Thread.currentThread() == h ? MX.getCurrentThreadCpuTime() : MX.getThreadCpuTime(id);
        long user = Thread.currentThread() == h ? MX.getCurrentThreadUserTime() : MX.getThreadUserTime(id);
        if (cpu < 0 || user < 0) return new long[2]; // the thread ended meanwhile
        return new long[] {user, Math.max(0, cpu - user)};
    }

    /** The thread that runs {@code t} is ending (called on it): its time goes to the process. */
    static void threadEnded(GuestThread t) {
        long[] tt = threadTimes(Thread.currentThread());
        t.proc.usage.add(tt[0], tt[1]);
        noteRss(t.proc);
    }

    static void noteRss(LinuxProcess p) {
        if (p.space != null) p.usage.maxRss = Math.max(p.usage.maxRss, p.space.mappedBytes());
    }

    /** [user, system] nanoseconds of the process: ended threads plus the live ones. */
    static long[] self(LinuxProcess p) {
        long u = p.usage.userNs, s = p.usage.sysNs;
        for (GuestThread t : p.threads) {
            long[] tt = threadTimes(t.host);
            u += tt[0];
            s += tt[1];
        }
        return new long[] {u, s};
    }

    /** A child was reaped: its totals (and its reaped children's) go to the parent's children account. */
    static void reaped(LinuxProcess parent, LinuxProcess child) {
        long[] c = self(child);
        parent.usage.addChildren(c[0] + child.usage.childUserNs, c[1] + child.usage.childSysNs,
                Math.max(child.usage.maxRss, child.usage.childMaxRss));
    }

    /** struct rusage: ru_utime, ru_stime (timevals), ru_maxrss in KiB, the rest zero (not counted). */
    static byte[] rusage(long userNs, long sysNs, long maxRssBytes, int wordSize) {
        ByteBuffer b = GuestMem.buffer(wordSize == 8 ? 144 : 72);
        for (long ns : new long[] {userNs, sysNs}) {
            long sec = ns / 1_000_000_000L, usec = ns % 1_000_000_000L / 1000;
            if (wordSize == 8) b.putLong(sec).putLong(usec); else b.putInt((int) sec).putInt((int) usec);
        }
        if (wordSize == 8) b.putLong(maxRssBytes / 1024); else b.putInt((int) (maxRssBytes / 1024));
        return b.array();
    }

    /** The counters of one process (guarded by itself). */
    static final class Usage {
        volatile long userNs, sysNs, childUserNs, childSysNs, maxRss, childMaxRss;

        synchronized void add(long u, long s) { userNs += u; sysNs += s; }

        synchronized void addChildren(long u, long s, long rss) {
            childUserNs += u;
            childSysNs += s;
            childMaxRss = Math.max(childMaxRss, rss);
        }
    }
}
