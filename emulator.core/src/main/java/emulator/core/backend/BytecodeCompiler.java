package emulator.core.backend;

import emulator.core.exec.CompiledBlock;
import emulator.core.ir.CallbackRef;
import emulator.core.ir.Cond;
import emulator.core.ir.ExitReason;
import emulator.core.ir.Helper;
import emulator.core.ir.Inst;
import emulator.core.ir.IrBlock;
import emulator.core.ir.Op;
import emulator.core.ir.TrapInfo;
import emulator.core.ir.Type;
import emulator.core.mem.MemOps;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Compiles an IR block to a JVM hidden class implementing {@link CompiledBlock}. Guest state slots
 * the block uses live in JVM locals and are written back at exits, before helpers and callbacks that
 * read them, and in the fault handler. Helpers, callbacks and counters are handed over as class data
 * into static final fields, so the JIT sees constants (and can inline a small callback), and no
 * generated class names a target or plugin class.
 */
public final class BytecodeCompiler implements Opcodes {
    /** The block does not fit in one JVM method. */
    public static final class TooLargeException extends RuntimeException {
        TooLargeException(String m) { super(m); }
    }

    private static final String VCPU = "emulator/core/exec/Vcpu";
    private static final String MEMOPS = "emulator/core/mem/MemOps";
    private static final String OPS = "emulator/core/backend/Ops";
    private static final String GEX = "emulator/core/exec/GuestException";
    private static final String LINK = "emulator/core/exec/ExitLink";
    private static final AtomicLong SEQ = new AtomicLong();

    /**
     * Largest region we hand to the JVM, in bytes of bytecode. HotSpot never JIT-compiles a method of
     * more than 8,000 bytes ({@code -XX:HugeMethodLimit}), so 7,900 is the most
     * {@code -Dabiscope.regionCodeLimit=N} allows; the default is smaller because C2's time grows
     * faster than a region's size: on the bench's short runs (a second run of ~250 M guest
     * instructions in a fresh JVM) 3,000 was 20–45 % faster than 7,900 on bzip2 and x86-64 gzip and
     * level on i386 gzip, sha256sum and md5sum. Long runs may prefer larger regions (fewer dispatches).
     * Re-measured with the JIT policy (2026-11-21, amd64 gzip, 7 runs in one JVM): 7,900 cut the
     * dispatches from one per 12.7 guest instructions to one per 37, yet from the second run on the
     * times were level with 3,000 (1.26–1.39 s either way): the time is in the blocks' own code.
     */
    public static final int MAX_REGION_CODE = Math.min(7_900, Integer.getInteger("abiscope.regionCodeLimit", 3_000));

    /** Guest instructions a region runs at most per call (about a millisecond). */
    public static final long REGION_SLICE = 1L << 20;

    /** Restartable memory accesses ({@code -Dabiscope.restarts=false} turns them off). */
    static final boolean RESTARTS = !"false".equals(System.getProperty("abiscope.restarts"));

    /**
     * Whether the code may leave an instruction to be restarted by the execution loop
     * ({@link emulator.core.exec.GuestException#RESTART}): where nothing of an instruction has
     * happened yet, its memory accesses go through {@link emulator.core.mem.MemOps}' restartable
     * fast paths, which have no call to the slow path in them, so the JIT keeps the block's values in
     * registers around them instead of saving them for a call on every access (bzip2 and gzip ran
     * 9-22 % faster). Only code that the loop runs may do this ({@link Backend}'s); code run directly
     * (tests, tools) takes the slow path in place.
     */
    private final boolean restarts;

    /**
     * Whether {@code b}'s memory accesses take the flat fast paths ({@link MemOps}' Low and R methods):
     * its addresses are expected below 4 GiB and the JVM allows flat memory. Otherwise they take the
     * tagged TLB's, and none is restartable.
     */
    static boolean flat(IrBlock b) { return b.lowAddresses && MemOps.FLAT; }

    /** A compiler whose code takes every miss's slow path in place. */
    public BytecodeCompiler() { this(false); }

    /** A compiler whose code may leave instructions to the execution loop when {@code restarts} (and {@code -Dabiscope.restarts} is not false). */
    public BytecodeCompiler(boolean restarts) { this.restarts = restarts && RESTARTS; }

    public CompiledBlock compile(IrBlock b) { return compile(List.of(b), null, false, "Block_", Integer.MAX_VALUE); }

    /**
     * Compiles a trace, blocks joined into one ({@link emulator.core.ir.TraceIr}), like a block;
     * refused with {@link TooLargeException} over {@link #MAX_TRACE_CODE} bytes of bytecode.
     */
    public CompiledBlock compileTrace(IrBlock joined) { return compile(List.of(joined), null, false, "Trace_", MAX_TRACE_CODE); }

    /**
     * Largest trace, in bytes of bytecode ({@code -Dabiscope.traceCodeLimit=N}, at most
     * {@link #MAX_REGION_CODE}). Smaller than a region's: a trace runs once per entry, so its size
     * saves dispatches only, while the JIT's time grows with it (second runs in SpeedProbe, 4-5
     * interleaved rounds, 2026-11-22: 1,200 bytes beat 3,000 on amd64 gzip, bzip2 and sort and were
     * level elsewhere).
     */
    public static final int MAX_TRACE_CODE = Math.min(MAX_REGION_CODE, Integer.getInteger("abiscope.traceCodeLimit", 1_200));

    /**
     * Compiles a region: several blocks of one CPU mode in one JVM method, {@code blocks.get(0)} its
     * entry. An exit of a member to the pc of a member is a jump inside the method (after the per-block
     * checks of the execution loop: a safe point asked for, the instruction limit), so guest registers
     * stay in JVM locals across blocks and a guest loop becomes a JVM loop the JIT optimises whole.
     * {@code indirect[k]}, when not null, lists pcs a register-indirect exit of member k (a return, an
     * indirect jump) is tested against before leaving the region. A region over
     * {@link #MAX_REGION_CODE} bytes of bytecode is refused with {@link TooLargeException}.
     */
    public CompiledBlock compile(List<IrBlock> blocks, long[][] indirect) { return compile(blocks, indirect, true, "Region_", MAX_REGION_CODE); }

    /**
     * Generated classes are Java 5 class files (version 49) unless {@code -Dabiscope.stackMaps=true}.
     * A class file of version 50 or later must carry a StackMapTable, which ASM computes by a data-flow
     * pass over every method it writes ({@code COMPUTE_FRAMES}). That pass was costly twice over: the
     * compiler thread ran it for every block and region, and it was hot enough that C2 compiled ASM's
     * frame code (about 0.15 s of C2 time per run, on the core the guest's own code waits for). A
     * version-49 class has no stack maps: the JVM checks it with its type-inferring verifier, in C++.
     * Measured (whole {@code ./abiscope run} commands, 6-8 interleaved rounds): x86-64 sha256sum of
     * 8 MiB 1.13 to 1.06 s, i386 gzip 1.83 to 1.75 s, i386 md5sum 1.42 to 1.33 s; the CPU time of
     * each command 0.16-0.20 s less. Such a class cannot use {@code ldc} of a dynamic constant
     * (version 55), so {@code <clinit>} fetches its class data with a plain call.
     */
    static final boolean STACK_MAPS = Boolean.getBoolean("abiscope.stackMaps");

    /** For tests: the size in bytes of the method a region of {@code blocks} makes, whatever its size. */
    int regionCodeSize(List<IrBlock> blocks) {
        Gen g = new Gen(blocks, null, "emulator/core/backend/Region_test", true, restarts, Integer.MAX_VALUE);
        g.generate();
        return g.codeSize;
    }

    /** For tests: whether {@code blocks} compile into a region of at most {@code codeLimit} bytes (or are refused). */
    boolean fitsInRegion(List<IrBlock> blocks, int codeLimit) {
        try {
            compile(blocks, null, true, "Region_", codeLimit);
            return true;
        } catch (TooLargeException e) {
            return false;
        }
    }

    /** The class file {@link #compile(IrBlock)} defines for {@code b} (for tests of its format). */
    byte[] classFile(IrBlock b) { return new Gen(List.of(b), null, "emulator/core/backend/Block_test", false, restarts, Integer.MAX_VALUE).generate(); }

    /**
     * Refusing a region or trace too large before making all of it ({@code -Dabiscope.earlyRefusal=false}
     * turns it off). Region formation tries the blocks reachable from its entry, then halves them
     * until the method fits; most tries fail. In a first run of amd64 gzip (1.5 MiB) 130 of 169
     * tries failed, and generating their code took 220–310 ms against 16–39 ms for the ones that
     * fit, on the guest's thread: each try analysed and emitted every member, whose size was then
     * refused. Now a try is refused at once when its IR ops alone make too much code (at least
     * {@value #MIN_BYTES_PER_OP} bytes each; the least seen in 1,349 regions and traces of the ten
     * bench workloads was 5.0, the median 6.5), and otherwise as soon as the members emitted so far
     * pass the limit.
     */
    static final boolean EARLY_REFUSAL = !"false".equals(System.getProperty("abiscope.earlyRefusal"));
    static final int MIN_BYTES_PER_OP = 4;

    private CompiledBlock compile(List<IrBlock> blocks, long[][] indirect, boolean region, String kind, int codeLimit) {
        IrBlock b = blocks.get(0);
        if (EARLY_REFUSAL && codeLimit < Integer.MAX_VALUE) {
            long ops = 0;
            for (IrBlock x : blocks) for (Inst i : x.ops) if (!i.isNop()) ops++;
            if (ops * MIN_BYTES_PER_OP > codeLimit)
                throw new TooLargeException(kind + Long.toHexString(b.pc) + ": " + ops + " IR ops make more than " + codeLimit + " bytes");
        }
        String name = "emulator/core/backend/" + kind + Long.toHexString(b.pc) + "_" + SEQ.incrementAndGet();
        Gen g = new Gen(blocks, indirect, name, region, restarts, codeLimit);
        byte[] bytes;
        try {
            bytes = g.generate();
        } catch (MethodTooLargeException | org.objectweb.asm.ClassTooLargeException
                 | org.objectweb.asm.LimitExceededException e) {
            // too much code, too many constants, or too many locals/frames for ASM
            throw new TooLargeException(e.getMessage());
        } catch (RuntimeException e) {
            // ASM 9.x's second pass over a method with jumps beyond 32 KiB (it re-reads the method to
            // use wide jumps) fails now and then with an index out of bounds — seen on a gzip region
            // with a callback before every instruction. Such a method is split like one too large.
            if (g.codeSize <= Short.MAX_VALUE) throw e;
            throw new TooLargeException("ASM failed on a method of " + g.codeSize + " bytes: " + e);
        }
        if (DUMP_CLASSES != null) dumpClass(name, bytes);
        try {
            MethodHandles.Lookup l = MethodHandles.lookup().defineHiddenClassWithClassData(bytes, g.constants.toArray(), true);
            return (CompiledBlock) l.findConstructor(l.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (Throwable t) {
            throw new IllegalStateException("cannot load compiled block 0x" + Long.toHexString(b.pc) + ": " + t, t);
        }
    }

    /**
     * {@code -Dabiscope.dumpClasses=DIR}: every generated class is also written to DIR (as
     * {@code Region_8191c34_155.class}), to read with {@code javap -c -p} beside a profile that names it.
     */
    private static final String DUMP_CLASSES = System.getProperty("abiscope.dumpClasses");

    private static void dumpClass(String name, byte[] bytes) {
        try {
            java.nio.file.Files.write(java.nio.file.Path.of(DUMP_CLASSES, name.substring(name.lastIndexOf('/') + 1) + ".class"), bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the generated class " + name + " to " + DUMP_CLASSES, e);
        }
    }

    /** One block's code generation. */
    private static final class Gen {
        final List<IrBlock> blocks;
        final long[][] indirect;
        final boolean region;
        /** The block being emitted (its temps, labels and instruction pcs). */
        IrBlock b;
        /** Index of the current block's first instruction in the region's instruction arrays. */
        int insnBase;
        final java.util.Map<Long, Integer> memberAt = new java.util.HashMap<>();
        Label[] blockLabel;
        int codeSize;
        final String name;
        final List<Object> constants = new ArrayList<>();
        final List<String> constTypes = new ArrayList<>();
        MethodVisitor mv;
        /**
         * In a region, {@code countLocal} and {@code limitLocal}, the instruction count at which the
         * region must go back to the loop, keep the count in one of two ways ({@link #countsDown}).
         */
        int regsLocal, curLocal, exLocal, countLocal, limitLocal, exitPcLocal, exitDoneLocal;
        /**
         * How a region keeps its instruction count. Counting down (the usual case): {@code countLocal}
         * holds the instructions left before the loop must run, every jump inside counts it down and
         * tests it against 0, and the count itself ({@code limitLocal - countLocal}) is formed only at
         * exits and faults; so a guest loop holds one value for both in the host's registers, where a
         * count tested against a limit at every jump held two. A region whose code reads the count on
         * the way, before callbacks and helpers that are not pure, keeps the count itself in
         * {@code countLocal} instead: it would form the count at each of them and keep the limit live
         * for it anyway (counting down, a callback before every instruction that reads no register
         * cost 0.115 ns per instruction instead of 0.06 on the micro-benchmarks' loop).
         */
        boolean countsDown;
        /** The vCPU's flat base ({@link emulator.core.mem.MemOps#base}), for code that accesses memory there; -1 if none does. */
        int baseLocal = -1;
        /** The current block's page guards (see {@link PageGuards}): accesses to their groups. */
        Map<Inst, PageGuards.Group> guards = Map.of();
        /** A region's entry guards (see {@link PageGuards#atRegionEntry}), made before its first member. */
        Map<Inst, PageGuards.Group> entryGuards = Map.of();
        /** Whether some {@link #flat} member loads / stores (seen with the slots in {@link #generate}). */
        boolean lowAccesses;
        /** Some member calls a callback or a helper that is not pure, which may read the count (see {@link #countsDown}). */
        boolean readsCountOnTheWay;
        /** Some block has instrumentation that a restart would run twice (see {@link IrBlock#restartable}). */
        boolean restartUnsafe;
        /**
         * The current instruction's counts ({@code COUNT} ops) not emitted yet: while nothing of the
         * instruction has happened, they wait, so that a restart from one of its accesses leaves them
         * uncounted (the instruction counts when it runs again). They are emitted before the first op
         * that commits the instruction, may fault otherwise than by a restart, or starts the next one.
         */
        final List<Inst> deferredCounts = new ArrayList<>();
        /**
         * Where every exit that leaves the method goes (see {@link #leave()}): the write-back, the
         * counters and the count are emitted once per method instead of once per exit, which was a
         * third of all bytecode — and bytecode size bounds how many blocks fit in a region.
         */
        final Label leave = new Label();
        /**
         * In a region: the members a register-indirect exit (a return, an indirect jump) is tested
         * against, in one shared tail ({@link #indirectTail()}); empty when there is none.
         */
        java.util.SortedSet<Long> indirectTargets = new java.util.TreeSet<>();
        final Label indirectTail = new Label();
        /**
         * {@code curLocal} (the index of the instruction running, for the fault handler) is stored
         * only before an op that can fault: {@code pendingCur} is the current instruction's index,
         * {@code storedCur} what the local holds on the straight-line code being emitted (-2: not
         * known, where paths meet).
         */
        int pendingCur, storedCur = -2;
        /** The current block's temps defined once, by a CONST, with their values: pushed where used instead of kept in a local. */
        Long[] constOf;
        /** Whether some callback sets {@code regsReadOnly} (else it is never true, and exits need not clear it). */
        boolean anyReadOnly;
        /**
         * Each inline counter's increments are summed in a JVM local and added to the counter when the
         * code returns or throws, or before a callback: in a region, an add to memory per block would
         * be a dependency carried through memory around every guest loop, and in a block or trace an
         * add per instruction (the JIT does not merge them across the guest's memory accesses) cost
         * more than the instruction. A counter is exact once the vCPU stopped, approximate while it
         * runs, so this is allowed.
         */
        final java.util.Map<Object, Integer> counterLocal = new java.util.IdentityHashMap<>();
        /**
         * Counters whose local may hold a count not yet added, on the straight-line code being
         * emitted: a callback sees every counter up to date (a plugin may read its own counter from its
         * callback), so they are added before it.
         */
        java.util.Set<Object> countersPending = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        /**
         * What {@code cpu.regsReadOnly} holds on the straight-line code being emitted (null: not known,
         * where paths meet). It is set only when it must change, so a run of read-only callbacks
         * stores it once, and it is false again wherever the code leaves (exit, trap, fault).
         */
        Boolean readOnly = Boolean.FALSE;
        /** In a region: whether {@code cpu.icount} already holds the count of the current block's start. */
        boolean icountStored;
        int[] slotLocal, tempLocal;
        BitSet usedSlots = new BitSet(), writtenSlots = new BitSet();
        /**
         * Whether nothing of the current instruction has happened yet (no register or memory written,
         * nothing called): a memory access here may leave it to be restarted ({@link MemOps} R variants).
         */
        boolean insnClean;
        /** Whether restartable accesses are used at all: not where instrumentation counts or calls back (a restart would count or call twice). */
        boolean restartable;
        /** Slots not loaded at the method's start (a single block's, see {@link #planLazySlots}); empty in a region. */
        BitSet lazy = new BitSet();
        /** Per slot: the instruction at whose start a lazy slot read first is loaded, else -1. */
        int[] loadAtInsn;
        /** Per lazy slot: the first instruction index at which the fault handler stores it. */
        int[] storeFrom;
        Label[] labels;
        /** Exits to a constant pc: (link constant, label of its chaining stub), emitted after the fault handler. */
        final List<Object[]> chainStubs = new ArrayList<>();

        /** Whether this code may leave instructions to be restarted (see {@link BytecodeCompiler#restarts}). */
        final boolean restarts;

        /** Bytes of bytecode the method may have (see {@link #MAX_REGION_CODE}). */
        final int codeLimit;

        Gen(List<IrBlock> blocks, long[][] indirect, String name, boolean region, boolean restarts, int codeLimit) {
            this.codeLimit = codeLimit;
            this.blocks = blocks; this.indirect = indirect; this.name = name;
            this.region = region;
            this.restarts = restarts;
            this.b = blocks.get(0);
            for (int k = 0; k < blocks.size(); k++) memberAt.putIfAbsent(blocks.get(k).pc, k);
            if (region) indirectTargets = indirectTargets();
        }

        int constant(Object o, String desc) {
            for (int k = 0; k < constants.size(); k++) if (constants.get(k) == o && constTypes.get(k).equals(desc)) return k;
            constants.add(o);
            constTypes.add(desc);
            return constants.size() - 1;
        }

        void getConst(int k) { mv.visitFieldInsn(GETSTATIC, name, "K" + k, constTypes.get(k)); }

        byte[] generate() {
            int n = 0;
            for (IrBlock x : blocks) {
                n += x.insnCount();
                for (Inst i : x.ops) {
                    if (i.aux instanceof CallbackRef r && !r.writesRegs()) anyReadOnly = true;
                    if (i.op == Op.GETR) usedSlots.set((int) i.imm);
                    if (i.op == Op.SETR) { usedSlots.set((int) i.imm); writtenSlots.set((int) i.imm); }
                    if (flat(x) && (i.op == Op.LOAD || i.op == Op.STORE)) lowAccesses = true;
                    if (i.op == Op.CB_BLOCK || i.op == Op.CB_INSN || i.op == Op.CB_MEM
                            || i.op == Op.CALL && !((Helper) i.aux).isPure()) readsCountOnTheWay = true;
                }
                if (!x.restartable()) restartUnsafe = true;
            }
            countsDown = region && !readsCountOnTheWay;
            // Per instruction of the region: its pc, and how many instructions of its block precede it.
            long[] pcs = new long[n];
            int[] within = new int[n];
            int at = 0;
            for (IrBlock x : blocks) {
                for (int k = 0; k < x.insnCount(); k++, at++) { pcs[at] = x.insnPcs[k]; within[at] = k; }
            }
            int pcsConst = constant(pcs, "[J");
            int withinConst = constant(within, "[I");
            ClassWriter cw = new ClassWriter(STACK_MAPS ? ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS : ClassWriter.COMPUTE_MAXS) {
                @Override protected String getCommonSuperClass(String a, String c) { return "java/lang/Object"; }
            };
            // ASM bounds the memory its frame computation may use (10 MiB by default); a block with a
            // few thousand temps exceeds that although it fits a JVM method. The real limit is the
            // 64 KiB method size, which MethodTooLargeException reports.
            cw.setComputeLimits(32 << 20, 100_000_000L);
            cw.visit(STACK_MAPS ? V21 : V1_5, ACC_FINAL | ACC_SUPER, name, null, "emulator/core/exec/CompiledBlock", null);
            MethodVisitor init = cw.visitMethod(0, "<init>", "()V", null, null);
            init.visitCode();
            init.visitVarInsn(ALOAD, 0);
            init.visitMethodInsn(INVOKESPECIAL, "emulator/core/exec/CompiledBlock", "<init>", "()V", false);
            init.visitInsn(RETURN);
            init.visitMaxs(0, 0);
            init.visitEnd();

            mv = cw.visitMethod(ACC_PUBLIC, "exec", "(L" + VCPU + ";)J", null, null);
            mv.visitCode();
            body(pcsConst, withinConst);
            Label end = new Label();
            mv.visitLabel(end);
            codeSize = end.getOffset();
            // A region or trace over the limit is refused before ASM finishes the class: for methods
            // over 32 KiB ASM rewrites its jumps in a second pass, which is wasted work here.
            if (codeSize > codeLimit) throw new TooLargeException(name + " of " + codeSize + " bytes");
            mv.visitMaxs(0, 0);
            mv.visitEnd();

            // Static finals from class data, in <clinit>.
            for (int k = 0; k < constants.size(); k++) cw.visitField(ACC_STATIC | ACC_FINAL | ACC_PRIVATE, "K" + k, constTypes.get(k), null, null);
            MethodVisitor ci = cw.visitMethod(ACC_STATIC, "<clinit>", "()V", null, null);
            ci.visitCode();
            // MethodHandles.classData(lookup, "_", Object[].class): a dynamic constant where the class
            // file version allows one (55 and later), else the same call made by hand
            String classData = "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/Class;)Ljava/lang/Object;";
            if (STACK_MAPS) {
                ci.visitLdcInsn(new ConstantDynamic("_", "[Ljava/lang/Object;",
                        new Handle(H_INVOKESTATIC, "java/lang/invoke/MethodHandles", "classData", classData, false)));
            } else {
                ci.visitMethodInsn(INVOKESTATIC, "java/lang/invoke/MethodHandles", "lookup", "()Ljava/lang/invoke/MethodHandles$Lookup;", false);
                ci.visitLdcInsn("_");
                ci.visitLdcInsn(org.objectweb.asm.Type.getType("[Ljava/lang/Object;"));
                ci.visitMethodInsn(INVOKESTATIC, "java/lang/invoke/MethodHandles", "classData", classData, false);
                ci.visitTypeInsn(CHECKCAST, "[Ljava/lang/Object;");
            }
            for (int k = 0; k < constants.size(); k++) {
                ci.visitInsn(DUP);
                ci.visitLdcInsn(k);
                ci.visitInsn(AALOAD);
                String d = constTypes.get(k);
                ci.visitTypeInsn(CHECKCAST, d.startsWith("L") ? d.substring(1, d.length() - 1) : d);
                ci.visitFieldInsn(PUTSTATIC, name, "K" + k, d);
            }
            ci.visitInsn(POP);
            ci.visitInsn(RETURN);
            ci.visitMaxs(0, 0);
            ci.visitEnd();
            cw.visitEnd();
            return cw.toByteArray();
        }

        /** The state known where paths meet (see {@link StoreJoins}); made before the blocks are emitted. */
        StoreJoins joins;

        void body(int pcsConst, int withinConst) {
            int next = 2; // 0 this, 1 cpu
            regsLocal = next++;
            curLocal = next++;
            exLocal = next++;
            countLocal = next; next += 2;
            limitLocal = next; next += 2;
            exitPcLocal = next; next += 2;
            exitDoneLocal = next++;
            if (lowAccesses) { baseLocal = next; next += 2; }
            slotLocal = new int[b.slots];
            for (int s = usedSlots.nextSetBit(0); s >= 0; s = usedSlots.nextSetBit(s + 1)) { slotLocal[s] = next; next += 2; }
            for (IrBlock x : blocks) for (Inst i : x.ops) {
                if (i.op == Op.COUNT && !counterLocal.containsKey(i.aux)) { counterLocal.put(i.aux, next); next += 2; }
            }
            // Temps of different blocks are never live at once: each block's allocation starts at the
            // same local, and is made when the block is emitted (a region refused part-way has not
            // paid for the rest).
            int firstTemp = next;
            // A region's entry guards live through the whole method: locals past every member's temps
            // (LocalAllocator takes at most two per temp); the members' own guards come after them.
            int guardLocals = firstTemp;
            if (region && blocks.stream().allMatch(BytecodeCompiler::flat)) {
                int mostTemps = 0;
                for (IrBlock x : blocks) mostTemps = Math.max(mostTemps, x.temps.size());
                guardLocals = firstTemp + 2 * mostTemps;
                entryGuards = PageGuards.atRegionEntry(blocks, guardLocals);
                for (PageGuards.Group g : entryGuards.values()) guardLocals = Math.max(guardLocals, g.local + 2);
            }
            blockLabel = new Label[blocks.size()];
            for (int k = 0; k < blockLabel.length; k++) blockLabel[k] = new Label();

            Label tryStart = new Label(), tryEnd = new Label(), handler = new Label();
            mv.visitTryCatchBlock(tryStart, tryEnd, handler, GEX);

            mv.visitVarInsn(ALOAD, 1);
            mv.visitFieldInsn(GETFIELD, VCPU, "regs", "[J");
            mv.visitVarInsn(ASTORE, regsLocal);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, curLocal);
            if (baseLocal >= 0) {
                mv.visitVarInsn(ALOAD, 1);
                static_(MEMOPS, "base", "(L" + VCPU + ";)J");
                mv.visitVarInsn(LSTORE, baseLocal);
            }
            if (region) {
                regionLimit();
                if (countsDown) mv.visitVarInsn(LLOAD, limitLocal); // left = limit - count
                mv.visitVarInsn(ALOAD, 1);
                mv.visitFieldInsn(GETFIELD, VCPU, "icount", "J");
                if (countsDown) mv.visitInsn(LSUB);
                mv.visitVarInsn(LSTORE, countLocal);
            }
            for (int l : counterLocal.values()) { mv.visitInsn(LCONST_0); mv.visitVarInsn(LSTORE, l); }
            if (!region) planLazySlots();
            restartable = restarts && !restartUnsafe;
            joins = new StoreJoins(blocks, region, memberAt, indirectTargets, anyReadOnly);
            loadSlotsAtEntry();
            entryGuards();
            mv.visitLabel(tryStart);
            insnBase = 0;
            for (int k = 0; k < blocks.size(); k++) {
                b = blocks.get(k);
                mv.visitLabel(blockLabel[k]);
                if (EARLY_REFUSAL && blockLabel[k].getOffset() > codeLimit)
                    throw new TooLargeException(name + " over " + codeLimit + " bytes before member " + k + " of " + blocks.size());
                tempLocal = new int[b.temps.size()];
                int afterTemps = LocalAllocator.assign(b, tempLocal, firstTemp);
                labels = new Label[b.labels];
                for (int l = 0; l < labels.length; l++) labels[l] = new Label();
                if (region) {
                    // paths meet here (the entry too: jumps come back to it)
                    StoreJoins.Known in = joins.atMember(k);
                    dirty = in == null ? (BitSet) writtenSlots.clone() : (BitSet) in.dirty().clone();
                    readOnly = in == null ? null : in.readOnly();
                    icountStored = false;
                    countersPending.addAll(counterLocal.keySet());
                }
                storedCur = -2;
                constOf = TempFacts.constants(b);
                guards = flat(b) ? PageGuards.plan(b, constOf, Math.max(afterTemps, guardLocals), entryGuards) : Map.of();
                initTemps();
                int cur = 0;
                for (Inst i : b.ops) {
                    if (i.isNop()) continue;
                    if (i.op == Op.INSN) cur = (int) i.imm;
                    op(i, cur, k);
                }
                insnBase += b.insnCount();
            }
            mv.visitLabel(tryEnd);
            // Fault handler: state as of the faulting instruction's start, then rethrow to the loop.
            mv.visitLabel(handler);
            mv.visitVarInsn(ASTORE, exLocal);
            readOnly = null;
            setRegsReadOnly(false);
            writeBackAtFault();
            Label skip = new Label();
            mv.visitVarInsn(ILOAD, curLocal);
            mv.visitJumpInsn(IFLT, skip);
            mv.visitVarInsn(ALOAD, 1);
            getConst(pcsConst);
            mv.visitVarInsn(ILOAD, curLocal);
            mv.visitInsn(LALOAD);
            mv.visitFieldInsn(PUTFIELD, VCPU, "pc", "J");
            mv.visitVarInsn(ALOAD, 1);
            if (region) loadIcount();
            else {
                mv.visitInsn(DUP);
                mv.visitFieldInsn(GETFIELD, VCPU, "icount", "J");
            }
            getConst(withinConst);
            mv.visitVarInsn(ILOAD, curLocal);
            mv.visitInsn(IALOAD);
            mv.visitInsn(I2L);
            mv.visitInsn(LADD);
            mv.visitFieldInsn(PUTFIELD, VCPU, "icount", "J");
            mv.visitLabel(skip);
            flushCounters();
            mv.visitVarInsn(ALOAD, exLocal);
            mv.visitInsn(ATHROW);
            leave();
            if (region && !indirectTargets.isEmpty()) indirectTail();
            chainStubs();
        }

        /**
         * The instruction count at which the region must go back to the loop ({@code limitLocal}):
         * at once when breakpoints are set (the loop checks each block's pc), else the machine's
         * instruction limit, and at most {@link #REGION_SLICE} instructions from now. The first two change only with a flush or before
         * the machine runs, so reading them once per region entry is enough (a flush asks for a safe
         * point, which every jump inside tests). The slice makes a guest loop come back to the
         * execution loop now and then, where its pc, registers and instruction count are written
         * back for observers on other threads ({@code vm:status}).
         */
        void regionLimit() {
            Label some = new Label(), done = new Label();
            mv.visitVarInsn(ALOAD, 1);
            mv.visitFieldInsn(GETFIELD, VCPU, "machine", "Lemulator/core/exec/Machine;");
            mv.visitMethodInsn(INVOKEVIRTUAL, "emulator/core/exec/Machine", "hasBreakpoints", "()Z", false);
            mv.visitJumpInsn(IFEQ, some);
            mv.visitVarInsn(ALOAD, 1);
            mv.visitFieldInsn(GETFIELD, VCPU, "icount", "J"); // now: nothing left
            mv.visitJumpInsn(GOTO, done);
            mv.visitLabel(some);
            mv.visitVarInsn(ALOAD, 1);
            mv.visitFieldInsn(GETFIELD, VCPU, "machine", "Lemulator/core/exec/Machine;");
            mv.visitMethodInsn(INVOKEVIRTUAL, "emulator/core/exec/Machine", "insnLimit", "()J", false);
            mv.visitVarInsn(ALOAD, 1);
            mv.visitFieldInsn(GETFIELD, VCPU, "icount", "J");
            mv.visitLdcInsn(REGION_SLICE);
            mv.visitInsn(LADD);
            static_("java/lang/Math", "min", "(JJ)J");
            mv.visitLabel(done);
            mv.visitVarInsn(LSTORE, limitLocal);
        }

        /** Temps of the current block that some path reads before defining start at 0, so that their locals are definitely assigned for the JVM verifier. */
        void initTemps() {
            BitSet initialised = new BitSet();
            BitSet needed = TempFacts.readBeforeDefined(b);
            for (int t = needed.nextSetBit(0); t >= 0; t = needed.nextSetBit(t + 1)) {
                if (tempLocal[t] < 0 || constOf[t] != null || initialised.get(tempLocal[t])) continue;
                initialised.set(tempLocal[t]);
                if (b.type(t) == Type.I64) { mv.visitInsn(LCONST_0); mv.visitVarInsn(LSTORE, tempLocal[t]); }
                else { mv.visitInsn(ICONST_0); mv.visitVarInsn(ISTORE, tempLocal[t]); }
            }
        }

        /**
         * An exit of the current block inside a region to the constant {@code pc} of a member:
         * {@code done} instructions are done. Jumps to the member unless the loop must run: a safe
         * point is asked for, or the instruction budget is spent. Otherwise falls through with the
         * count already in {@link #countLocal}. (Register-indirect exits go through
         * {@link #indirectTail()}.)
         */
        void transfer(int done, long pc, int k) {
            countDone(done);
            Label out = new Label();
            // Every cycle through the region has a jump back (to a member emitted at or before this
            // one): testing for a safe point there bounds the wait, and saves the volatile read — a
            // barrier to the JIT's code motion — on jumps forward. Except after a block that may have
            // written memory: a write to code asks for a safe point too, and the next member may be
            // the code it changed.
            boolean back = memberAt.get(pc) <= k;
            toLoopIfNeeded(back || b.mayWrite(), out);
            mv.visitJumpInsn(GOTO, blockLabel[memberAt.get(pc)]);
            mv.visitLabel(out);
        }

        /** In a region: {@code done} more instructions are done (see {@link #countsDown}). */
        void countDone(int done) {
            if (done == 0) return;
            mv.visitVarInsn(LLOAD, countLocal);
            push(false, done);
            mv.visitInsn(countsDown ? LSUB : LADD);
            mv.visitVarInsn(LSTORE, countLocal);
        }

        /** In a region: pushes the instruction count as of the current block's start. */
        void loadIcount() {
            if (countsDown) mv.visitVarInsn(LLOAD, limitLocal);
            mv.visitVarInsn(LLOAD, countLocal);
            if (countsDown) mv.visitInsn(LSUB);
        }

        /**
         * Jumps to {@code out} when the execution loop must run before the next member: a safe point
         * is asked for (tested only when {@code testRequest}), or the instruction budget is spent.
         */
        void toLoopIfNeeded(boolean testRequest, Label out) {
            if (testRequest) {
                mv.visitVarInsn(ALOAD, 1);
                mv.visitFieldInsn(GETFIELD, VCPU, "exitRequest", "Z");
                mv.visitJumpInsn(IFNE, out);
            }
            mv.visitVarInsn(LLOAD, countLocal); // left <= 0, or count >= limit
            if (countsDown) mv.visitInsn(LCONST_0); else mv.visitVarInsn(LLOAD, limitLocal);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(countsDown ? IFLE : IFGE, out);
        }

        /** Adds the pending counts to their counters and zeroes their locals (before a callback). */
        void addPendingCounters() {
            for (Object counter : countersPending) {
                int l = counterLocal.get(counter);
                addCounter(counter, l);
                mv.visitInsn(LCONST_0);
                mv.visitVarInsn(LSTORE, l);
            }
            countersPending.clear();
        }

        /** Adds what the region's counter locals hold to their counters (before it returns or throws). */
        void flushCounters() { counterLocal.forEach(this::addCounter); }

        /** {@code counter.add(cpu.index, local)}. */
        void addCounter(Object counter, int local) {
            getConst(constant(counter, "Lemulator/api/instrument/InlineCounter;"));
            mv.visitVarInsn(ALOAD, 1);
            mv.visitFieldInsn(GETFIELD, VCPU, "index", "I");
            mv.visitVarInsn(LLOAD, local);
            mv.visitMethodInsn(INVOKEVIRTUAL, "emulator/api/instrument/InlineCounter", "add", "(IJ)V", false);
        }

        /**
         * In a region, stores the count ({@link #loadIcount}, as of the current block's start) for
         * a helper or callback to see. A plain store: nothing here reads the field, so no dependency
         * through memory is carried around a guest loop.
         */
        void flushIcount() {
            if (!region || icountStored) return;
            icountStored = true;
            mv.visitVarInsn(ALOAD, 1);
            loadIcount();
            mv.visitFieldInsn(PUTFIELD, VCPU, "icount", "J");
        }

        /**
         * Candidates for register-indirect exits: the targets they last went to (from the execution
         * loop's successor links) and every member whose pc some member writes as a constant — a
         * return address pushed by a call (or put in a link register). A function called from
         * several places in the region returns to each of them; the last two targets alone missed
         * most (gzip's deflate returned to the execution loop millions of times that way).
         */
        java.util.SortedSet<Long> indirectTargets() {
            java.util.SortedSet<Long> out = new java.util.TreeSet<>();
            boolean any = false;
            for (int k = 0; k < blocks.size(); k++) {
                for (Inst i : blocks.get(k).ops) if (i.op == Op.EXITR && i.aux == null) any = true;
                if (indirect != null && indirect[k] != null) for (long c : indirect[k]) if (memberAt.containsKey(c)) out.add(c);
            }
            if (!any) return new java.util.TreeSet<>();
            for (IrBlock x : blocks) for (long v : x.constantAddresses()) if (memberAt.containsKey(v)) out.add(v);
            return out;
        }

        /**
         * The shared tail of register-indirect exits in a region ({@code exitPcLocal} holds the
         * target, the count done): the checks of {@link #transfer}, then a switch on the
         * target's low 32 bits (each case compares the whole pc) to the member there; else leaves.
         */
        void indirectTail() {
            mv.visitLabel(indirectTail);
            toLoopIfNeeded(true, leave);
            java.util.TreeMap<Integer, List<Long>> byLow = new java.util.TreeMap<>();
            for (long t : indirectTargets) byLow.computeIfAbsent((int) t, x -> new ArrayList<>()).add(t);
            int[] keys = byLow.keySet().stream().mapToInt(Integer::intValue).toArray();
            Label[] cases = new Label[keys.length];
            for (int n = 0; n < cases.length; n++) cases[n] = new Label();
            mv.visitVarInsn(LLOAD, exitPcLocal);
            mv.visitInsn(L2I);
            mv.visitLookupSwitchInsn(leave, keys, cases);
            for (int n = 0; n < keys.length; n++) {
                mv.visitLabel(cases[n]);
                for (long t : byLow.get(keys[n])) {
                    mv.visitVarInsn(LLOAD, exitPcLocal);
                    push(false, t);
                    mv.visitInsn(LCMP);
                    mv.visitJumpInsn(IFEQ, blockLabel[memberAt.get(t)]);
                }
                mv.visitJumpInsn(GOTO, leave);
            }
        }

        /**
         * The shared exit: writes back every written slot, adds the counters, clears the read-only
         * mark, counts the instructions (in a region: {@link #loadIcount}; in a block: the
         * {@code exitDoneLocal} instructions done) and returns {@code exitPcLocal}.
         */
        void leave() {
            mv.visitLabel(leave);
            readOnly = null;
            writeBack();
            flushCounters();
            setRegsReadOnly(false);
            mv.visitVarInsn(ALOAD, 1);
            if (region) loadIcount();
            else {
                mv.visitInsn(DUP);
                mv.visitFieldInsn(GETFIELD, VCPU, "icount", "J");
                mv.visitVarInsn(ILOAD, exitDoneLocal);
                mv.visitInsn(I2L);
                mv.visitInsn(LADD);
            }
            mv.visitFieldInsn(PUTFIELD, VCPU, "icount", "J");
            mv.visitVarInsn(LLOAD, exitPcLocal);
            mv.visitInsn(LRETURN);
        }

        /**
         * Outside the try range (a fault in a chained block has been handled by that block's own
         * handler and must pass this block's untouched): state is written back and icount counted, so
         * either call the successor's code and return what it returns, or return the pc to the loop.
         */
        void chainStubs() {
            for (Object[] s : chainStubs) {
                mv.visitLabel((Label) s[1]);
                getConst((Integer) s[0]);
                mv.visitVarInsn(ALOAD, 1);
                mv.visitMethodInsn(INVOKEVIRTUAL, LINK, "next", "(L" + VCPU + ";)Lemulator/core/exec/CompiledBlock;", false);
                mv.visitInsn(DUP);
                Label ret = new Label();
                mv.visitJumpInsn(IFNULL, ret);
                mv.visitVarInsn(ALOAD, 1);
                mv.visitMethodInsn(INVOKEVIRTUAL, "emulator/core/exec/CompiledBlock", "exec", "(L" + VCPU + ";)J", false);
                mv.visitInsn(LRETURN);
                mv.visitLabel(ret);
                mv.visitInsn(POP);
                mv.visitLdcInsn((Long) s[2]);
                mv.visitInsn(LRETURN);
            }
        }

        void loadSlots() {
            for (int s = usedSlots.nextSetBit(0); s >= 0; s = usedSlots.nextSetBit(s + 1)) loadSlot(s);
        }

        void loadSlot(int s) {
            mv.visitVarInsn(ALOAD, regsLocal);
            mv.visitLdcInsn(s);
            mv.visitInsn(LALOAD);
            mv.visitVarInsn(LSTORE, slotLocal[s]);
        }

        /** At the method's start: every used slot but the lazy ones, which start at 0 (for the verifier; see {@link #lazy}). */
        void loadSlotsAtEntry() {
            for (int s = usedSlots.nextSetBit(0); s >= 0; s = usedSlots.nextSetBit(s + 1)) {
                if (!lazy.get(s)) loadSlot(s);
                else { mv.visitInsn(LCONST_0); mv.visitVarInsn(LSTORE, slotLocal[s]); }
            }
        }

        /**
         * Slots of a single block (not a region) first touched in its straight-line start — the ops
         * before its first label, branch, exit, trap, callback or register-reading helper, which run
         * in order and dominate the rest. Such a slot is not loaded at the method's start: one read
         * first is loaded at the start of the instruction that reads it ({@link #loadAtInsn}), one
         * written first is never loaded. Loading every used slot up front kept each value live across
         * the whole block, and beside the block's own values that was more than the host has registers:
         * C2 spilled them to the stack at entry and reloaded them at each use (in one hot gzip block,
         * 104 of 342 host instructions were spills and reloads; 78 of 336 with this). With restartable
         * accesses it gained 3-4 % on gzip and bzip2 (2026-11-21, warm runs, 3 interleaved rounds). In
         * a region a member is reached again from the others with its slots in locals, so regions load
         * every slot up front as before.
         *
         * <p>The fault handler stores a lazy slot only once the instruction that loads or first writes
         * it has begun ({@link #storeFrom}): before, its local holds 0 and the guest register is
         * unchanged in {@code cpu.regs} anyway. A slot first written by an instruction that can fault
         * both before and after that write is loaded up front, as the handler cannot tell which.
         */
        void planLazySlots() {
            lazy = new BitSet();
            loadAtInsn = new int[b.slots];
            storeFrom = new int[b.slots];
            java.util.Arrays.fill(loadAtInsn, -1);
            BitSet touched = new BitSet();
            List<Inst> ops = b.ops;
            int cur = 0;
            for (int p = 0; p < ops.size(); p++) {
                Inst i = ops.get(p);
                if (i.isNop()) continue;
                if (!straightLine(i)) break;
                if (i.op == Op.INSN) cur = (int) i.imm;
                if (i.op != Op.GETR && i.op != Op.SETR) continue;
                int s = (int) i.imm;
                if (touched.get(s)) continue;
                touched.set(s);
                if (i.op == Op.GETR) {
                    lazy.set(s);
                    loadAtInsn[s] = cur;
                    storeFrom[s] = cur;
                    continue;
                }
                boolean before = faultsInInsn(ops, p, -1), after = faultsInInsn(ops, p, +1);
                if (before && after) continue;
                lazy.set(s);
                storeFrom[s] = after ? cur : cur + 1;
            }
        }

        /** Ops the straight-line start of a block may hold (see {@link #planLazySlots}). */
        static boolean straightLine(Inst i) {
            return switch (i.op) {
                case LABEL, BR, BRC, EXIT, EXITR, TRAP, CB_BLOCK, CB_INSN, CB_MEM -> false;
                case CALL -> !((Helper) i.aux).readsRegs() && !((Helper) i.aux).writesRegs();
                default -> true;
            };
        }

        /** Whether an op of the instruction holding op {@code p}, before it ({@code dir} -1) or after it (+1), can throw to the fault handler. */
        static boolean faultsInInsn(List<Inst> ops, int p, int dir) {
            for (int q = p + dir; q >= 0 && q < ops.size(); q += dir) {
                Inst i = ops.get(q);
                if (i.op == Op.INSN) return false;
                if (mayFault(i) || i.op == Op.TRAP) return true;
            }
            return false;
        }

        /**
         * The fault handler's write-back: every written slot, but a lazy one only once the instruction
         * at {@link #storeFrom} has begun (or after a trap, which leaves the index at -1 and comes
         * after the straight-line start).
         */
        void writeBackAtFault() {
            BitSet now = (BitSet) writtenSlots.clone();
            now.andNot(lazy);
            store(now);
            BitSet later = (BitSet) writtenSlots.clone();
            later.and(lazy);
            if (later.isEmpty()) return;
            List<Integer> order = new ArrayList<>();
            for (int s = later.nextSetBit(0); s >= 0; s = later.nextSetBit(s + 1)) order.add(s);
            order.sort(java.util.Comparator.comparingInt(s -> storeFrom[s]));
            Label all = new Label(), done = new Label();
            mv.visitVarInsn(ILOAD, curLocal);
            mv.visitJumpInsn(IFLT, all);
            for (int s : order) {
                mv.visitVarInsn(ILOAD, curLocal);
                push(true, storeFrom[s]);
                mv.visitJumpInsn(IF_ICMPLT, done);
                storeSlot(s);
            }
            mv.visitJumpInsn(GOTO, done);
            mv.visitLabel(all);
            store(later);
            mv.visitLabel(done);
        }

        /** Every slot the block writes (the fault handler, which can be reached from anywhere). */
        void writeBack() { store(writtenSlots); }

        /**
         * Slots changed since the last write-back on this straight-line stretch: before a callback or
         * helper only those are stored (at a label, where paths meet, every written slot counts).
         */
        BitSet dirty = new BitSet();

        void writeBackDirty() {
            store(dirty);
            dirty.clear();
        }

        void store(BitSet which) {
            for (int s = which.nextSetBit(0); s >= 0; s = which.nextSetBit(s + 1)) storeSlot(s);
        }

        void storeSlot(int s) {
            mv.visitVarInsn(ALOAD, regsLocal);
            mv.visitLdcInsn(s);
            mv.visitVarInsn(LLOAD, slotLocal[s]);
            mv.visitInsn(LASTORE);
        }

        void load(int t) {
            Long c = constOf[t];
            if (c != null) push(b.type(t) == Type.I32, c);
            else mv.visitVarInsn(b.type(t) == Type.I64 ? LLOAD : ILOAD, tempLocal[t]);
        }

        /** Pushes a constant in its shortest encoding. */
        void push(boolean i32, long v) {
            if (i32) {
                int x = (int) v;
                if (x >= -1 && x <= 5) mv.visitInsn(ICONST_0 + x);
                else if (x == (byte) x) mv.visitIntInsn(BIPUSH, x);
                else if (x == (short) x) mv.visitIntInsn(SIPUSH, x);
                else mv.visitLdcInsn(x);
            } else if (v == 0 || v == 1) mv.visitInsn(LCONST_0 + (int) v);
            else mv.visitLdcInsn(v);
        }

        /**
         * Whether op {@code i} changes guest state, calls out or joins paths: the rest of its
         * instruction can then no longer be left to a restart ({@link #insnClean}). Loads and divides
         * may fault but change nothing.
         */
        static boolean commits(Inst i) {
            return switch (i.op) {
                case INSN, LOAD, DIVU, DIVS, REMU, REMS -> false;
                default -> i.op.effect;
            };
        }

        /** Ops that can throw a guest fault out of generated code (the handler needs the instruction's index). */
        static boolean mayFault(Inst i) {
            return switch (i.op) {
                case LOAD, STORE, DIVU, DIVS, REMU, REMS -> true;
                case CALL -> !((Helper) i.aux).isPure();
                default -> false;
            };
        }

        void store(int t) { mv.visitVarInsn(b.type(t) == Type.I64 ? LSTORE : ISTORE, tempLocal[t]); }

        /** Loads temp t as a long (zero-extending an I32 when {@code zext}, else sign-extending). */
        void loadLong(int t, boolean zext) {
            load(t);
            if (b.type(t) == Type.I32) {
                mv.visitInsn(I2L);
                if (zext) { mv.visitLdcInsn(0xFFFFFFFFL); mv.visitInsn(LAND); }
            }
        }

        /** The vCPU's count gets the {@code n} instructions of the current block done (in a region: the count as of its start + n). */
        void addIcount(int n) {
            if (region) {
                mv.visitVarInsn(ALOAD, 1);
                loadIcount();
                mv.visitLdcInsn((long) n);
                mv.visitInsn(LADD);
                mv.visitFieldInsn(PUTFIELD, VCPU, "icount", "J");
                return;
            }
            if (n == 0) return;
            mv.visitVarInsn(ALOAD, 1);
            mv.visitInsn(DUP);
            mv.visitFieldInsn(GETFIELD, VCPU, "icount", "J");
            mv.visitLdcInsn((long) n);
            mv.visitInsn(LADD);
            mv.visitFieldInsn(PUTFIELD, VCPU, "icount", "J");
        }

        void setPc(long pc) {
            mv.visitVarInsn(ALOAD, 1);
            mv.visitLdcInsn(pc);
            mv.visitFieldInsn(PUTFIELD, VCPU, "pc", "J");
        }

        void static_(String owner, String mname, String desc) { mv.visitMethodInsn(INVOKESTATIC, owner, mname, desc, false); }

        void op(Inst i, int cur, int k) {
            if (!deferredCounts.isEmpty() && !waitsForCounts(i)) emitDeferredCounts();
            if (i.op == Op.COUNT && restartable && insnClean) { deferredCounts.add(i); return; }
            boolean w = i.type == Type.I32;
            boolean clean = insnClean;
            if (commits(i)) insnClean = false;
            if (mayFault(i) && storedCur != pendingCur) {
                push(true, pendingCur);
                mv.visitVarInsn(ISTORE, curLocal);
                storedCur = pendingCur;
            }
            switch (i.op) {
                case CONST -> {
                    if (constOf[i.dst] != null) return; // pushed where used
                    push(w, i.imm);
                    store(i.dst);
                }
                case MOV -> { load(i.a); store(i.dst); }
                case GETR -> {
                    mv.visitVarInsn(LLOAD, slotLocal[(int) i.imm]);
                    if (w) mv.visitInsn(L2I);
                    store(i.dst);
                }
                case SETR -> {
                    loadLong(i.a, true);
                    mv.visitVarInsn(LSTORE, slotLocal[(int) i.imm]);
                    dirty.set((int) i.imm);
                }
                case INSN -> {
                    pendingCur = insnBase + (int) i.imm;
                    insnClean = true;
                    if (loadAtInsn != null) for (int s = lazy.nextSetBit(0); s >= 0; s = lazy.nextSetBit(s + 1)) if (loadAtInsn[s] == i.imm) loadSlot(s);
                }
                case LABEL -> {
                    mv.visitLabel(labels[(int) i.imm]);
                    storedCur = -2;
                    // what the jumps here bring (none: only the code falling in, whose state this is)
                    StoreJoins.Known in = joins.atLabel(k, (int) i.imm);
                    if (in != null) {
                        dirty.or(in.dirty());
                        if (!java.util.Objects.equals(readOnly, in.readOnly())) readOnly = null;
                    }
                    icountStored = false;
                    countersPending.addAll(counterLocal.keySet());
                }
                case BR -> mv.visitJumpInsn(GOTO, labels[(int) i.imm]);
                case BRC -> { load(i.a); mv.visitJumpInsn(IFNE, labels[(int) i.imm]); }
                case EXIT, EXITR -> {
                    int done = cur + 1;
                    if (region && i.aux == null) {
                        if (i.op == Op.EXIT && memberAt.containsKey(i.imm)) { transfer(done, i.imm, k); done = 0; }
                        else if (i.op == Op.EXITR && !indirectTargets.isEmpty()) {
                            // to the shared tail, which jumps to the member at the target or leaves
                            countDone(done);
                            load(i.a);
                            mv.visitVarInsn(LSTORE, exitPcLocal);
                            mv.visitJumpInsn(GOTO, indirectTail);
                            return;
                        }
                    }
                    if (i.aux != null) {
                        mv.visitVarInsn(ALOAD, 1);
                        mv.visitLdcInsn(((ExitReason) i.aux).ordinal() + 1);
                        mv.visitFieldInsn(PUTFIELD, VCPU, "exitReason", "I");
                    }
                    if (i.op == Op.EXIT && i.aux == null && emulator.core.exec.ExitLink.ENABLED) {
                        writeBack();
                        flushCounters();
                        setRegsReadOnly(false);
                        addIcount(done);
                        Label stub = new Label();
                        chainStubs.add(new Object[] {constant(new emulator.core.exec.ExitLink(i.imm), "L" + LINK + ";"), stub, i.imm});
                        mv.visitJumpInsn(GOTO, stub);
                        return;
                    }
                    // to the shared tail: the pc to return, and the instructions done (in a region, counted in countLocal)
                    if (region) countDone(done);
                    else {
                        push(true, done);
                        mv.visitVarInsn(ISTORE, exitDoneLocal);
                    }
                    if (i.op == Op.EXIT) push(false, i.imm); else load(i.a);
                    mv.visitVarInsn(LSTORE, exitPcLocal);
                    mv.visitJumpInsn(GOTO, leave);
                }
                case TRAP -> {
                    TrapInfo ti = (TrapInfo) i.aux;
                    // The fault handler (which catches this throw) writes back and adds the counters;
                    // with curLocal at -1 it leaves the pc and count set here alone.
                    addIcount(ti.afterInsn() ? cur + 1 : cur);
                    setPc(i.imm);
                    mv.visitInsn(ICONST_M1);
                    mv.visitVarInsn(ISTORE, curLocal);
                    storedCur = -1;
                    getConst(constant(ti, "Lemulator/core/ir/TrapInfo;"));
                    static_(OPS, "trap", "(Lemulator/core/ir/TrapInfo;)L" + GEX + ";");
                    mv.visitInsn(ATHROW);
                }
                case LOAD -> load(i);
                case STORE -> {
                    int size = (int) i.imm;
                    boolean r = flat(b) && restartable && clean;
                    PageGuards.Group g = guard(i);
                    mv.visitVarInsn(ALOAD, 1);
                    String low = (g != null ? "G" : "") + (r ? "R" : flat(b) ? "Low" : ""), pages = pushBase();
                    load(i.a);
                    String told = g != null ? "JI" : "";
                    if (size == 8) { load(i.b); pushGuard(g, i); static_(MEMOPS, "st64" + low, "(L" + VCPU + ";" + pages + "JJ" + told + ")V"); }
                    else {
                        load(i.b);
                        if (b.type(i.b) == Type.I64) mv.visitInsn(L2I);
                        pushGuard(g, i);
                        static_(MEMOPS, (size == 1 ? "st8" : size == 2 ? "st16" : "st32") + low, "(L" + VCPU + ";" + pages + "JI" + told + ")V");
                    }
                    if (!deferredCounts.isEmpty()) emitDeferredCounts(); // the store is done: the instruction counts
                }
                case CALL -> call(i);
                case CB_BLOCK, CB_INSN, CB_MEM -> callback(i, cur);
                case COUNT -> count(i);
                default -> pure(i, w);
            }
        }

        /** Adds a {@code COUNT}'s amount to its counter's local. */
        void count(Inst i) {
            int l = counterLocal.get(i.aux);
            mv.visitVarInsn(LLOAD, l);
            mv.visitLdcInsn(i.imm);
            mv.visitInsn(LADD);
            mv.visitVarInsn(LSTORE, l);
            countersPending.add(i.aux);
        }

        /**
         * Whether {@link #deferredCounts} may still wait past op {@code i}: another count, an op
         * that changes nothing and cannot fault, or a restartable access (a store emits them right
         * after itself).
         */
        boolean waitsForCounts(Inst i) {
            return i.op == Op.COUNT || !i.op.effect
                    || (i.op == Op.LOAD || i.op == Op.STORE) && flat(b) && restartable && insnClean;
        }

        /** Emits the current instruction's waiting counts; a restart can no longer leave it uncounted. */
        void emitDeferredCounts() {
            for (Inst c : deferredCounts) count(c);
            deferredCounts.clear();
            insnClean = false;
        }

        void load(Inst i) {
            int size = (int) (i.imm & 0xF);
            boolean signed = (i.imm & Op.SIGNED) != 0;
            boolean w = i.type == Type.I32;
            boolean r = flat(b) && restartable && insnClean;
            PageGuards.Group g = guard(i);
            mv.visitVarInsn(ALOAD, 1);
            String low = (g != null ? "G" : "") + (r ? "R" : flat(b) ? "Low" : ""), pages = pushBase();
            load(i.a);
            pushGuard(g, i);
            String told = g != null ? "JI" : "";
            switch (size) {
                case 8 -> static_(MEMOPS, "ld64" + low, "(L" + VCPU + ";" + pages + "J" + told + ")J");
                case 4 -> {
                    static_(MEMOPS, "ld32" + low, "(L" + VCPU + ";" + pages + "J" + told + ")I");
                    if (!w) { mv.visitInsn(I2L); if (!signed) { mv.visitLdcInsn(0xFFFFFFFFL); mv.visitInsn(LAND); } }
                }
                default -> {
                    static_(MEMOPS, (size == 1 ? "ld8" : "ld16") + low, "(L" + VCPU + ";" + pages + "J" + told + ")I");
                    if (signed) mv.visitInsn(size == 1 ? I2B : I2S);
                    if (!w) mv.visitInsn(I2L);
                }
            }
            store(i.dst);
        }

        /**
         * The page guard of access {@code i}, or null (see {@link PageGuards}). At the group's leader
         * this first emits the guard's test into its local: the group's range from the leader's
         * address, wrapped as the addresses are.
         */
        PageGuards.Group guard(Inst i) {
            PageGuards.Group g = entryGuards.get(i);
            if (g != null) return g;
            g = guards.get(i);
            if (g == null || g.leader != i) return g;
            guardTest(g, () -> load(i.a));
            return g;
        }

        /**
         * A region's entry guards, before its first member: each group's range from its register's
         * value (in its local since {@link #loadSlotsAtEntry}).
         */
        void entryGuards() {
            List<PageGuards.Group> groups = new ArrayList<>(new java.util.HashSet<>(entryGuards.values()));
            groups.sort(java.util.Comparator.comparingInt(g -> g.local));
            for (PageGuards.Group g : groups) {
                guardTest(g, () -> mv.visitVarInsn(LLOAD, slotLocal[g.entryRegister]));
                PageGuards.ENTRY_GUARDS.incrementAndGet();
            }
        }

        /**
         * Tests group {@code g}'s range into its local: the range's ends from the value
         * {@code pushOrigin} pushes (the leader's address, or an entry guard's register), wrapped as
         * the addresses are.
         */
        void guardTest(PageGuards.Group g, Runnable pushOrigin) {
            pushBase();
            for (long delta : new long[] {g.loFromLeader(), g.hiFromLeader()}) {
                pushOrigin.run();
                if (delta != 0) { mv.visitLdcInsn(delta); mv.visitInsn(LADD); }
                if (g.wrap32) { mv.visitLdcInsn(0xFFFFFFFFL); mv.visitInsn(LAND); }
            }
            String test = g.reads && g.writes ? "guardReadWrite" : g.reads ? "guardRead" : "guardWrite";
            static_(MEMOPS, test, "(JJJ)J");
            mv.visitVarInsn(LSTORE, g.local);
        }

        /** Pushes what access {@code i}'s guard gave (host address of its range, or 0) and i's distance into the range. */
        void pushGuard(PageGuards.Group g, Inst i) {
            if (g == null) return;
            mv.visitVarInsn(LLOAD, g.local);
            push(true, g.distance(i));
        }

        /** In flat code, pushes the flat base kept in {@link #baseLocal} and returns its descriptor; else "". */
        String pushBase() {
            if (!flat(b)) return "";
            mv.visitVarInsn(LLOAD, baseLocal);
            return "J";
        }

        void call(Inst i) {
            Helper h = (Helper) i.aux;
            if (h.readsRegs() || h.writesRegs()) writeBackDirty(); // a writer's reload must not lose dirty locals
            if (!h.isPure()) {
                flushIcount(); // a helper may read the count (RDTSC)
                setRegsReadOnly(false);
            }
            getConst(constant(h.fn(), "Lemulator/core/ir/Helper$Fn;"));
            mv.visitVarInsn(ALOAD, 1);
            for (int k = 0; k < 4; k++) {
                if (k < i.args.length) load(i.args[k]); else mv.visitInsn(LCONST_0);
            }
            mv.visitMethodInsn(INVOKEINTERFACE, "emulator/core/ir/Helper$Fn", "call", "(L" + VCPU + ";JJJJ)J", true);
            if (i.dst >= 0) store(i.dst); else mv.visitInsn(POP2);
            if (h.writesRegs()) loadSlots();
        }

        void callback(Inst i, int cur) {
            CallbackRef ref = (CallbackRef) i.aux;
            if (ref.readsRegs() || ref.writesRegs()) writeBackDirty();
            flushIcount();
            addPendingCounters();
            Label s = new Label(), e = new Label(), h = new Label(), done = new Label();
            mv.visitTryCatchBlock(s, e, h, "java/lang/Throwable");
            long pc = i.op == Op.CB_MEM ? b.insnPcs[cur] : i.imm;
            setPc(pc);
            setRegsReadOnly(!ref.writesRegs());
            mv.visitLabel(s);
            switch (i.op) {
                case CB_BLOCK -> {
                    getConst(constant(ref.callback(), "Lemulator/api/instrument/BlockCallback;"));
                    mv.visitVarInsn(ALOAD, 1);
                    mv.visitLdcInsn(pc);
                    mv.visitLdcInsn(b.insnCount());
                    mv.visitMethodInsn(INVOKEINTERFACE, "emulator/api/instrument/BlockCallback", "onBlock", "(Lemulator/api/Cpu;JI)V", true);
                }
                case CB_INSN -> {
                    getConst(constant(ref.callback(), "Lemulator/api/instrument/InsnCallback;"));
                    mv.visitVarInsn(ALOAD, 1);
                    mv.visitLdcInsn(pc);
                    mv.visitMethodInsn(INVOKEINTERFACE, "emulator/api/instrument/InsnCallback", "onInsn", "(Lemulator/api/Cpu;J)V", true);
                }
                default -> {
                    int size = (int) (i.imm & 0xF);
                    getConst(constant(ref.callback(), "Lemulator/api/instrument/MemCallback;"));
                    mv.visitVarInsn(ALOAD, 1);
                    mv.visitLdcInsn(pc);
                    load(i.a);
                    mv.visitLdcInsn(size);
                    loadLong(i.b, true);
                    if (size < 8 && !(size == 4 && b.type(i.b) == Type.I32)) { mv.visitLdcInsn((1L << (8 * size)) - 1); mv.visitInsn(LAND); }
                    mv.visitInsn((i.imm & Op.WRITE) != 0 ? ICONST_1 : ICONST_0);
                    mv.visitMethodInsn(INVOKEINTERFACE, "emulator/api/instrument/MemCallback", "onAccess", "(Lemulator/api/Cpu;JJIJZ)V", true);
                }
            }
            mv.visitLabel(e);
            mv.visitJumpInsn(GOTO, done);
            mv.visitLabel(h);
            mv.visitVarInsn(ASTORE, exLocal);
            mv.visitVarInsn(ALOAD, 1);
            getConst(constant(ref, "Ljava/lang/Object;"));
            mv.visitVarInsn(ALOAD, exLocal);
            static_("emulator/core/backend/Callbacks", "failed", "(L" + VCPU + ";Ljava/lang/Object;Ljava/lang/Throwable;)V");
            mv.visitLabel(done);
            if (ref.writesRegs()) loadSlots();
        }

        void setRegsReadOnly(boolean on) {
            if (readOnly != null && readOnly == on) return;
            if (!on && !anyReadOnly) return; // never set in this method: false since it was entered
            readOnly = on;
            mv.visitVarInsn(ALOAD, 1);
            mv.visitInsn(on ? ICONST_1 : ICONST_0);
            mv.visitFieldInsn(PUTFIELD, VCPU, "regsReadOnly", "Z");
        }

        void pure(Inst i, boolean w) {
            Op op = i.op;
            switch (op) {
                case ADD, SUB, MUL, AND, OR, XOR -> {
                    load(i.a); load(i.b);
                    int base = switch (op) { case ADD -> IADD; case SUB -> ISUB; case MUL -> IMUL; case AND -> IAND; case OR -> IOR; default -> IXOR; };
                    mv.visitInsn(w ? base : base + 1);
                }
                case SHL, SHR, SAR -> {
                    load(i.a); load(i.b);
                    if (!w) mv.visitInsn(L2I);
                    int base = op == Op.SHL ? ISHL : op == Op.SHR ? IUSHR : ISHR;
                    mv.visitInsn(w ? base : base + 1);
                }
                case ROL, ROR -> {
                    load(i.a); load(i.b);
                    if (!w) mv.visitInsn(L2I);
                    String m = op == Op.ROL ? "rotateLeft" : "rotateRight";
                    if (w) static_("java/lang/Integer", m, "(II)I"); else static_("java/lang/Long", m, "(JI)J");
                }
                case MULHU, MULHS -> {
                    load(i.a); load(i.b);
                    if (w) static_(OPS, op == Op.MULHU ? "mulhu32" : "mulhs32", "(II)I");
                    else static_("java/lang/Math", op == Op.MULHU ? "unsignedMultiplyHigh" : "multiplyHigh", "(JJ)J");
                }
                case DIVU, DIVS, REMU, REMS -> {
                    load(i.a); load(i.b);
                    String m = op.name().toLowerCase() + (w ? "32" : "64");
                    static_(OPS, m, w ? "(II)I" : "(JJ)J");
                }
                case NEG -> { load(i.a); mv.visitInsn(w ? INEG : LNEG); }
                case NOT -> {
                    load(i.a);
                    if (w) { mv.visitInsn(ICONST_M1); mv.visitInsn(IXOR); } else { mv.visitLdcInsn(-1L); mv.visitInsn(LXOR); }
                }
                case CLZ, CTZ, POPCNT, BSWAP -> {
                    load(i.a);
                    String m = switch (op) { case CLZ -> "numberOfLeadingZeros"; case CTZ -> "numberOfTrailingZeros"; case POPCNT -> "bitCount"; default -> "reverseBytes"; };
                    if (w) static_("java/lang/Integer", m, "(I)I");
                    else {
                        static_("java/lang/Long", m, op == Op.BSWAP ? "(J)J" : "(J)I");
                        if (op != Op.BSWAP) mv.visitInsn(I2L);
                    }
                }
                case EXTU -> extu(i, w);
                case EXTS -> exts(i, w);
                case SETC -> setc(i);
                case SELECT -> {
                    Label els = new Label(), end = new Label();
                    load(i.a);
                    mv.visitJumpInsn(IFEQ, els);
                    load(i.b);
                    mv.visitJumpInsn(GOTO, end);
                    mv.visitLabel(els);
                    load(i.c);
                    mv.visitLabel(end);
                }
                default -> throw new IllegalStateException("no bytecode for " + op);
            }
            store(i.dst);
        }

        void extu(Inst i, boolean w) {
            int bits = (int) i.imm;
            boolean src64 = b.type(i.a) == Type.I64;
            load(i.a);
            if (w) {
                if (src64) mv.visitInsn(L2I);
                if (bits < 32) { mv.visitLdcInsn((1 << bits) - 1); mv.visitInsn(IAND); }
            } else {
                if (!src64) mv.visitInsn(I2L);
                if (bits < 64) { mv.visitLdcInsn((1L << bits) - 1); mv.visitInsn(LAND); }
            }
        }

        void exts(Inst i, boolean w) {
            int bits = (int) i.imm;
            boolean src64 = b.type(i.a) == Type.I64;
            load(i.a);
            if (src64 && (w || bits <= 32)) {
                mv.visitInsn(L2I);
                src64 = false;
            }
            if (!src64) {
                if (bits == 8) mv.visitInsn(I2B);
                else if (bits == 16) mv.visitInsn(I2S);
                else if (bits < 32) { mv.visitLdcInsn(32 - bits); mv.visitInsn(ISHL); mv.visitLdcInsn(32 - bits); mv.visitInsn(ISHR); }
                if (!w) mv.visitInsn(I2L);
            } else if (bits < 64) {
                mv.visitLdcInsn(64 - bits); mv.visitInsn(LSHL); mv.visitLdcInsn(64 - bits); mv.visitInsn(LSHR);
            }
        }

        void setc(Inst i) {
            Cond c = (Cond) i.aux;
            boolean w = b.type(i.a) == Type.I32;
            Label t = new Label(), end = new Label();
            load(i.a); load(i.b);
            boolean unsigned = c == Cond.LTU || c == Cond.LEU || c == Cond.GTU || c == Cond.GEU;
            if (w && !unsigned) {
                mv.visitJumpInsn(switch (c) { case EQ -> IF_ICMPEQ; case NE -> IF_ICMPNE; case LT -> IF_ICMPLT; case LE -> IF_ICMPLE; case GT -> IF_ICMPGT; default -> IF_ICMPGE; }, t);
            } else {
                if (unsigned) {
                    if (w) static_("java/lang/Integer", "compareUnsigned", "(II)I"); else static_("java/lang/Long", "compareUnsigned", "(JJ)I");
                } else mv.visitInsn(LCMP);
                mv.visitJumpInsn(switch (c) { case EQ -> IFEQ; case NE -> IFNE; case LT, LTU -> IFLT; case LE, LEU -> IFLE; case GT, GTU -> IFGT; default -> IFGE; }, t);
            }
            mv.visitInsn(ICONST_0);
            mv.visitJumpInsn(GOTO, end);
            mv.visitLabel(t);
            mv.visitInsn(ICONST_1);
            mv.visitLabel(end);
        }
    }
}
