package emulator.core.exec;

import emulator.core.backend.Backend;
import emulator.core.ir.IrBlock;
import emulator.core.ir.IrBuilder;
import emulator.core.ir.IrVerifier;
import emulator.core.mem.AddressSpace;
import emulator.core.mem.Page;
import emulator.core.mem.Prot;
import emulator.core.opt.Optimizer;
import emulator.core.spi.BlockEditor;
import emulator.core.spi.Instrumentation;
import emulator.core.target.CodeFetch;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Guest code to runnable block: front end → instrumentation → optimizer → verifier → backend,
 * then into the address space's cache with its code pages marked for self-modifying-code detection.
 */
public final class Translator {
    private static final java.util.Set<Long> DUMP = java.util.Arrays.stream(System.getProperty("abiscope.dumpIr", "").split(","))
            .filter(x -> !x.isBlank()).map(x -> Long.decode(x.trim())).collect(java.util.stream.Collectors.toSet());
    private final Machine machine;
    private final Backend backend;
    private final AtomicLong translated = new AtomicLong(), translateNanos = new AtomicLong(), reused = new AtomicLong();

    /**
     * This machine's target as {@link SharedTranslations} tells targets apart (its class and arch),
     * and whether the translation expects addresses below 4 GiB ({@link IrBlock#lowAddresses}).
     */
    private final String sharingKey, sharingKeyLow;

    Translator(Machine machine, Backend backend) {
        this.machine = machine;
        this.backend = backend;
        this.sharingKey = machine.target().getClass().getName() + "/" + machine.target().arch();
        this.sharingKeyLow = sharingKey + "/low";
    }

    public long blocksTranslated() { return translated.get(); }

    /** Translations found in {@link SharedTranslations} (counted in {@link #blocksTranslated()} too). */
    public long translationsReused() { return reused.get(); }

    /** Time spent translating (front end to backend's first code, not counting tier-up), in ns. */
    public long translateNanos() { return translateNanos.get(); }

    public Backend backend() { return backend; }

    /** Instruction limits of blocks that had to be split, by cache key. */
    private final java.util.concurrent.ConcurrentHashMap<Long, Integer> splitLimits = new java.util.concurrent.ConcurrentHashMap<>();

    /** Remembers that the block at {@code b.pc} must be translated with half its instructions. */
    void split(TranslatedBlock b, Vcpu cpu) {
        splitLimits.merge(CodeCache.key(b.pc, b.mode), Math.max(1, b.insnCount() / 2), Math::min);
        cpu.cache.view().remove(CodeCache.key(b.pc, b.mode), b);
    }

    TranslatedBlock lookup(Vcpu cpu, long pc, int mode) {
        TranslatedBlock b = cpu.cache.get(pc, mode);
        if (b != null) return b;
        long epoch = machine.epoch(); // read before translate() reads the instrumentation
        long t0 = System.nanoTime();
        b = translate(cpu, pc, mode);
        translateNanos.addAndGet(System.nanoTime() - t0);
        if (!cpu.cache.put(b)) {
            cpu.cache.flush();
            cpu.cache.put(b);
        }
        if (machine.epoch() != epoch) {
            // A flushAll (e.g. instrumentation removed) ran while we translated, possibly with the old
            // hooks, and may have emptied the cache before our put: run the block this once (the
            // flush is still waiting for our next safe point) but never keep it.
            b.valid = false;
            cpu.cache.view().remove(CodeCache.key(pc, mode), b);
        }
        return b;
    }

    /**
     * Runs the one instruction at {@code pc} in the IR interpreter, translated on its own (not cached);
     * returns the next pc. Only restarts come here, and compiled code leaves an instruction to a
     * restart before its instrumentation has done anything ({@link IrBlock#restartable}: at most
     * counts of instructions, which wait), so the instruction gets its instrumentation here, as the
     * block a restart that stays in compiled code starts at {@code pc} would.
     */
    long stepOne(Vcpu cpu, long pc, int mode) {
        IrBuilder ir = new IrBuilder(pc, machine.target().slots());
        machine.target().translate(pc, mode, fetch(cpu.space, null), ir, 1);
        IrBlock block = ir.finish();
        Instrumentation inst = machine.instrumentation();
        if (inst != null && inst.instrumentsBlocks()) instrument(inst, block, cpu.space);
        return backend.interpret(block, cpu);
    }

    /** Code bytes of {@code space} from executable pages (-1 elsewhere), noting each page read in {@code pages} unless it is null. */
    private static CodeFetch fetch(AddressSpace space, TreeSet<Long> pages) {
        return addr -> {
            Page p = space.page(addr);
            if (p == null || (p.prot & Prot.EXEC) == 0) return -1;
            if (pages != null) pages.add(AddressSpace.pageOf(addr));
            return p.get((int) (addr & AddressSpace.PAGE_MASK));
        };
    }

    /** Lets {@code inst} add its hooks to {@code block}, translated for {@code space}. */
    private void instrument(Instrumentation inst, IrBlock block, AddressSpace space) {
        BlockEditor ed = new BlockEditor(block, space.asid(), machine.target().arch());
        inst.instrument(ed);
        ed.apply();
    }

    /** Translates without caching (also used by tests and the raw runner). */
    public TranslatedBlock translate(Vcpu cpu, long pc, int mode) {
        AddressSpace space = cpu.space;
        TreeSet<Long> pages = new TreeSet<>();
        CodeFetch fetch = fetch(space, pages);
        int limit = splitLimits.getOrDefault(CodeCache.key(pc, mode), machine.config().maxBlockInsns());
        Instrumentation inst = machine.instrumentation();
        if (inst != null && !inst.instrumentsBlocks()) inst = null; // CPU events only: the blocks are as without it
        boolean share = SharedTranslations.ENABLED && inst == null && !machine.hasBreakpoints();
        // The cheaper lookups of addresses below 4 GiB, while nothing lies higher (the target also
        // asks for them in 32-bit code, whatever the space holds).
        boolean low = !space.mappedAbove4GiB();
        String key = low ? sharingKeyLow : sharingKey;
        IrBlock block = share ? SharedTranslations.find(key, pc, mode, limit, fetch) : null;
        if (block != null) {
            reused.incrementAndGet();
        } else {
            SharedTranslations.Recorder recorder = share ? new SharedTranslations.Recorder(fetch) : null;
            IrBuilder ir = new IrBuilder(pc, machine.target().slots());
            if (machine.hasBreakpoints()) ir.setStopBefore(machine::isBreakpoint);
            ir.setLowAddresses(low);
            machine.target().translate(pc, mode, share ? recorder : fetch, ir, limit);
            block = ir.finish();
            if (inst != null) instrument(inst, block, space);
            Optimizer.run(block);
            IrVerifier.verify(block);
            if (!DUMP.isEmpty() && DUMP.contains(pc)) System.err.println("IR at 0x" + Long.toHexString(pc) + ":\n" + block);
            if (share) SharedTranslations.put(key, pc, mode, limit, recorder, block);
        }
        long[] pg = pages.stream().mapToLong(Long::longValue).toArray();
        for (long p : pg) {
            space.markCode(p);
            cpu.tlb.invalidatePage(p);
        }
        translated.incrementAndGet();
        CompiledBlock initial = backend.initial(block);
        if (initial != null && Backend.mustSplit(initial)) {
            splitLimits.merge(CodeCache.key(pc, mode), Math.max(1, block.insnCount() / 2), Math::min);
            return translate(cpu, pc, mode);
        }
        return new TranslatedBlock(pc, mode, block, pg, backend, initial);
    }
}
