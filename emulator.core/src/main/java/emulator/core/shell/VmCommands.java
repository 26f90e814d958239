package emulator.core.shell;

import emulator.core.exec.Machine;
import emulator.core.exec.Machines;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/** Gogo {@code vm:} commands: the state of the running machines, and pause, resume, stop. */
// Registered as Object: Gogo finds commands by their osgi.command properties, and a class of this
// bundle's own would be one more class that every other bundle listening to service events fails to
// load at each event of this service (Felix checks that the listener could use it).
@Component(service = Object.class, immediate = true, property = {
        "osgi.command.scope=vm", "osgi.command.function=status", "osgi.command.function=pause",
        "osgi.command.function=resume", "osgi.command.function=stop"})
public final class VmCommands {
    private long lastIcount, lastNanos;

    /** vm:status — state, pc, instruction count, blocks, guest MIPS of each machine. */
    public String status() {
        List<Machine> ms = Machines.running();
        if (ms.isEmpty()) return "no machine is running";
        StringBuilder sb = new StringBuilder();
        long now = System.nanoTime();
        for (Machine m : ms) {
            long ic = m.icount();
            double mips = lastNanos == 0 ? 0 : (ic - lastIcount) / ((now - lastNanos) / 1e3);
            lastIcount = ic;
            lastNanos = now;
            sb.append(m.name()).append(" [").append(m.target().arch()).append("] ")
              .append(m.isStopped() ? "stopped" : m.isPaused() ? "paused" : "running")
              .append("\n  instructions ").append(ic)
              .append("\n  blocks translated ").append(m.translator().blocksTranslated())
              .append(", cached ").append(m.cachedBlocks())
              .append(", compiled ").append(m.translator().backend().blocksCompiled())
              .append(", regions ").append(m.translator().backend().regionsCompiled())
              .append(", traces ").append(m.translator().backend().tracesCompiled())
              .append("\n  guest MIPS since last status ").append(String.format("%.1f", mips));
            m.vcpus().forEach(v -> sb.append("\n  vcpu ").append(v.index).append(" pc 0x").append(Long.toHexString(v.pc))
                    .append(" asid ").append(v.asid()).append(" icount ").append(v.icount));
            sb.append('\n');
        }
        return sb.toString();
    }

    public String pause() { Machines.running().forEach(Machine::pause); return "paused"; }

    public String resume() { Machines.running().forEach(Machine::resume); return "resumed"; }

    public String stop() { Machines.running().forEach(Machine::stop); return "stopped"; }
}
