package plugin.syscalls.linux;

import emulator.api.GuestMemory;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import plugin.syscalls.linux.decode.Decoder;
import plugin.syscalls.linux.decode.MemorySnapshot;
import plugin.syscalls.linux.table.Arch;

/**
 * Makes a raw {@link Call} readable: its arguments and result as strace prints them and its
 * platform-independent semantics, from the registers and the memory captured on the vCPU thread.
 * Runs on the trace writer's thread (or inline, in tests).
 *
 * <p>A decoder that throws, or that reads memory its capture plan did not copy, is a bug in this
 * plugin: it is reported once per call name, and the call is still traced (the arguments it could
 * not decode printed raw), so nothing else is lost.
 */
final class CallDecoding {
    private final Decoder[] decoders = new Decoder[Arch.values().length];
    private final int stringLimit;
    private final Consumer<String> report;
    private final Set<String> reported = new HashSet<>();
    private long failures, misses;

    CallDecoding(int stringLimit, Consumer<String> report) {
        this.stringLimit = stringLimit;
        this.report = report;
    }

    /**
     * The arguments known at the entry, and with {@code semantics} the entry's semantics. The
     * semantics are for events only: with no handler for them they are not made (four boxed map
     * entries for every read and write), and the entry's memory is kept until the return in case
     * a handler has come by then.
     */
    void entered(Call c, boolean semantics) {
        GuestMemory mem = memory(c.entryMemory, c);
        Decoder d = decoder(c.arch);
        try {
            d.enter(c, mem);
        } catch (RuntimeException e) {
            failed(c, "its arguments", e);
            Decoder.raw(c);
        }
        if (semantics) entrySemantics(c, mem);
        else c.entrySemanticsPending = true;
        checkMisses(c, mem);
        if (semantics) c.entryMemory = null; // decoded: the copy need not live as long as the call is pending
    }

    private void entrySemantics(Call c, GuestMemory mem) {
        try {
            Semantics.atEntry(c, mem, decoder(c.arch));
        } catch (RuntimeException e) {
            failed(c, "its semantics at the entry", e);
        }
        c.entrySemanticsPending = false;
    }

    /**
     * The outputs and the result (or, for the calls the tracker completed itself, what it set); with
     * {@code semantics}, the semantics (the entry's too, if they were left for later).
     */
    void exited(Call c, boolean semantics) {
        if (c.childSide) {
            if (c.forkParent != null) System.arraycopy(c.forkParent.argText, 0, c.argText, 0, c.argText.length);
            return;
        }
        if (c.entrySemanticsPending) {
            if (semantics) {
                GuestMemory entry = memory(c.entryMemory, c);
                entrySemantics(c, entry);
                checkMisses(c, entry);
            }
            c.entryMemory = null;
        }
        if (!c.decodeResult) return; // exit, exit_group, a successful exec: the tracker set the result
        GuestMemory mem = memory(c.exitMemory, c);
        try {
            decoder(c.arch).exit(c, mem, c.rawResult);
        } catch (RuntimeException e) {
            failed(c, "its result", e);
            c.result = Decoder.rawResult(c.ret);
        }
        // a restarted call shows the kernel's restart code with "?" for the value (strace's "= ? ERESTARTSYS (...)")
        if (c.restart) c.result = "? " + c.result.substring(c.result.indexOf(' ') + 1);
        if (semantics) {
            try {
                Semantics.atExit(c, mem);
            } catch (RuntimeException e) {
                failed(c, "its semantics at the return", e);
            }
        }
        checkMisses(c, mem);
        c.exitMemory = null;
    }

    private GuestMemory memory(GuestMemory captured, Call c) {
        return captured != null ? captured : new MemorySnapshot(c.asid); // nothing captured: any read is a miss
    }

    private void checkMisses(Call c, GuestMemory mem) {
        if (!(mem instanceof MemorySnapshot s) || s.misses() == 0) return;
        misses++;
        if (reported.add("miss " + c.name)) {
            report.accept("plugin.syscalls.linux: decoding " + c.name + " read guest memory its capture did not copy (" + s.firstMiss()
                    + "); it was printed as unreadable. A capture-plan bug (decode/Capture), reported once per call name");
        }
    }

    private void failed(Call c, String what, RuntimeException e) {
        failures++;
        if (reported.add("threw " + c.name)) {
            report.accept("plugin.syscalls.linux: decoding " + what + " of " + c.name + " threw " + e
                    + "; the call is traced with them raw. A decoder bug, reported once per call name");
        }
    }

    private Decoder decoder(Arch arch) {
        Decoder d = decoders[arch.ordinal()];
        if (d == null) decoders[arch.ordinal()] = d = new Decoder(arch, stringLimit);
        return d;
    }

    /** Decoders that threw (each time). */
    long failures() { return failures; }

    /** Calls whose decoding read memory the capture had not copied. */
    long captureMisses() { return misses; }
}
