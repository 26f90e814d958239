package emulator.linuxuser.fs;

import java.util.List;
import java.util.Locale;

/**
 * A small description of the emulated machine from which /proc/cpuinfo and /proc/meminfo are
 * generated. Plausible, deterministic text; never the host's.
 */
public record SystemInfo(String arch, int cpus, String vendorId, String modelName, int family, int model,
                         int stepping, double mhz, List<String> flags, long memTotalKb, long memFreeKb) {

    /** An x86-64 machine with the flags a baseline x86-64 (v1) CPU has. */
    public static SystemInfo defaultX86(int cpus, long memTotalKb) {
        return new SystemInfo("x86_64", cpus, "GenuineIntel", "abiscope virtual CPU", 6, 94, 3, 2400.0,
                List.of("fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge",
                        "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2", "syscall", "nx", "lm"),
                memTotalKb, memTotalKb * 3 / 4);
    }

    public String cpuinfo() {
        StringBuilder sb = new StringBuilder();
        if (arch.equals("aarch64") || arch.startsWith("arm")) {
            for (int i = 0; i < cpus; i++) {
                sb.append("processor\t: ").append(i).append('\n')
                        .append("BogoMIPS\t: ").append(fmt(mhz / 50)).append('\n')
                        .append("Features\t: ").append(String.join(" ", flags)).append('\n')
                        .append("CPU implementer\t: 0x41\nCPU architecture: ").append(arch.equals("aarch64") ? "8" : "7")
                        .append("\nCPU variant\t: 0x0\nCPU part\t: 0xd03\nCPU revision\t: ").append(stepping).append("\n\n");
            }
            return sb.toString();
        }
        for (int i = 0; i < cpus; i++) {
            sb.append("processor\t: ").append(i).append('\n')
                    .append("vendor_id\t: ").append(vendorId).append('\n')
                    .append("cpu family\t: ").append(family).append('\n')
                    .append("model\t\t: ").append(model).append('\n')
                    .append("model name\t: ").append(modelName).append('\n')
                    .append("stepping\t: ").append(stepping).append('\n')
                    .append("cpu MHz\t\t: ").append(String.format(Locale.ROOT, "%.3f", mhz)).append('\n')
                    .append("cache size\t: 4096 KB\n")
                    .append("physical id\t: 0\nsiblings\t: ").append(cpus).append('\n')
                    .append("core id\t\t: ").append(i).append('\n')
                    .append("cpu cores\t: ").append(cpus).append('\n')
                    .append("apicid\t\t: ").append(i).append('\n')
                    .append("fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: 13\nwp\t\t: yes\n")
                    .append("flags\t\t: ").append(String.join(" ", flags)).append('\n')
                    .append("bogomips\t: ").append(fmt(mhz * 2)).append('\n')
                    .append("clflush size\t: 64\ncache_alignment\t: 64\n")
                    .append("address sizes\t: 39 bits physical, 48 bits virtual\npower management:\n\n");
        }
        return sb.toString();
    }

    public String meminfo() {
        long avail = memFreeKb;
        return line("MemTotal", memTotalKb) + line("MemFree", memFreeKb) + line("MemAvailable", avail)
                + line("Buffers", 0) + line("Cached", 0) + line("SwapCached", 0) + line("Active", memTotalKb - memFreeKb)
                + line("Inactive", 0) + line("SwapTotal", 0) + line("SwapFree", 0) + line("Shmem", 0)
                + line("Slab", 0) + line("CommitLimit", memTotalKb / 2) + line("Committed_AS", memTotalKb - memFreeKb)
                + line("VmallocTotal", 34359738367L) + "HugePages_Total:       0\nHugePages_Free:        0\n"
                + "Hugepagesize:       2048 kB\n";
    }

    private static String line(String key, long kb) {
        return String.format(Locale.ROOT, "%-16s%8d kB%n", key + ":", kb).replace(System.lineSeparator(), "\n");
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }
}
