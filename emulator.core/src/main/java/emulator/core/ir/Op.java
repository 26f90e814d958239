package emulator.core.ir;

/**
 * IR operations. Operand fields of {@link Inst}: {@code dst} (a temp, or -1), {@code a}, {@code b},
 * {@code c} (temps), {@code imm}, {@code aux}. The semantics are defined once, in
 * {@link emulator.core.backend.Interpreter}; the bytecode backend must agree with it, and the test
 * suite runs every case under both.
 *
 * <p>Conventions that a front end must know:
 * <ul>
 * <li>Shifts and rotates take the count modulo the width (as the JVM does); a front end that needs
 *     other behaviour (x86 masks to 5 or 6 bits anyway; ARM register shifts saturate) says so in IR.
 * <li>{@code DIVU/DIVS/REMU/REMS} by zero raise the guest's divide-error exception; signed overflow
 *     (MIN / -1) wraps (quotient MIN, remainder 0): front ends check it where the guest traps.
 * <li>{@code CLZ}/{@code CTZ} of zero give the width.
 * <li>Loads and stores take an I64 guest virtual address.
 * </ul>
 */
public enum Op {
    /** dst = imm. */
    CONST(false),
    /** dst = a. */
    MOV(false),
    /** dst = state slot {@code imm} (low 32 bits for an I32 dst). */
    GETR(false),
    /** state slot {@code imm} = a (zero-extended from I32). */
    SETR(true),
    ADD(false), SUB(false), MUL(false), AND(false), OR(false), XOR(false),
    SHL(false), SHR(false), SAR(false), ROL(false), ROR(false),
    /** High half of the unsigned / signed double-width product. */
    MULHU(false), MULHS(false),
    DIVU(true), DIVS(true), REMU(true), REMS(true),
    NEG(false), NOT(false), CLZ(false), CTZ(false), POPCNT(false), BSWAP(false),
    /** dst = zero-extension of the low {@code imm} bits of a (any types: also truncation to I32). */
    EXTU(false),
    /** dst = sign-extension of the low {@code imm} bits of a. */
    EXTS(false),
    /** dst:I32 = (a cond b) ? 1 : 0, cond = aux ({@link Cond}); a, b of one type, imm = 1 if I64 else 0. */
    SETC(false),
    /** dst = a != 0 ? b : c (a is I32). */
    SELECT(false),
    /** dst = load of {@code imm & 0xF} bytes at address a; sign-extended when imm has {@link #SIGNED}. */
    LOAD(true),
    /** store the low {@code imm} bytes of b at address a. */
    STORE(true),
    /** Helper call: dst (or -1) = ((Helper) aux)(cpu, args...). */
    CALL(true),
    /** Branch target number {@code imm}. */
    LABEL(true),
    /** Jump to label imm. */
    BR(true),
    /** Jump to label imm if a (I32) != 0. */
    BRC(true),
    /** Marks the start of guest instruction number {@code imm} of the block (see {@link IrBlock#insnPcs}). */
    INSN(true),
    /** Leave the block to guest pc {@code imm}; aux is an {@link ExitReason} or null. */
    EXIT(true),
    /** Leave the block to the guest pc in a (I64); aux is an {@link ExitReason} or null. */
    EXITR(true),
    /** Raise guest exception: aux is a {@link TrapInfo}. Ends the path. */
    TRAP(true),
    /** Instrumentation: block-start callback, aux = the callback. */
    CB_BLOCK(true),
    /** Instrumentation: instruction callback, aux = {@link CallbackRef}, imm = pc. */
    CB_INSN(true),
    /** Instrumentation: memory callback after a LOAD/STORE: a = address, b = value, aux = {@link CallbackRef}, imm = size | write flag. */
    CB_MEM(true),
    /** Instrumentation: inline counter add: aux = counter, imm = amount. */
    COUNT(true);

    /** Flag in a LOAD's imm: sign-extend. */
    public static final int SIGNED = 0x10;
    /** Flag in a CB_MEM's imm: the access was a store. */
    public static final int WRITE = 0x20;

    /** Has an effect besides defining dst (never removed by dead-code elimination). */
    public final boolean effect;

    Op(boolean effect) { this.effect = effect; }

    /** Whether this op ends a path (nothing after it runs unless a label follows). */
    public boolean terminates() { return this == EXIT || this == EXITR || this == TRAP || this == BR; }
}
