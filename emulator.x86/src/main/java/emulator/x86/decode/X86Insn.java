package emulator.x86.decode;

import java.util.List;

/**
 * One decoded x86 instruction (immutable; do not modify {@link #bytes()}).
 *
 * @param pc            guest address of the first byte (prefixes included)
 * @param length        length in bytes (1..15; for INVALID the bytes consumed so far, at least 1 unless a fetch fault at pc)
 * @param bytes         the instruction bytes ({@code length} of them)
 * @param mode          mode it was decoded in
 * @param op            operation; {@link X86Op#INVALID} when {@code kind == INVALID}
 * @param cond          condition 0..15 for JCC / SETCC / CMOVCC (O,NO,B,AE,E,NE,BE,A,S,NS,P,NP,L,GE,LE,G), else -1
 * @param kind          control-flow class
 * @param operands      operands in Intel order (destination first); implicit operands (e.g. rAX of CWD) are not listed
 *                      except where Intel syntax shows them (string ops, IN/OUT, XLAT, shifts by CL / 1 ...)
 * @param opSize        effective operand size in bytes: the size of the first register/memory operand
 *                      (1 for byte forms, 16 for XMM forms, 10 for st(i)); otherwise the operand-size attribute (2/4/8)
 * @param operandSizeAttr the operand-size attribute (2, 4, 8) after 66 / REX.W / default-64 rules
 * @param addrSize      address size in bytes (2, 4, 8)
 * @param lock          LOCK (F0) present
 * @param rep           F3 present as REP/REPE (not when it selected an SSE form)
 * @param repne         F2 present as REPNE (not when it selected an SSE form)
 * @param opsizePrefix  66 present (also when it selected an SSE form)
 * @param addrsizePrefix 67 present
 * @param segment       segment override prefix: -1 none, else ES=0 CS=1 SS=2 DS=3 FS=4 GS=5 (last one wins)
 * @param rex           the REX byte in effect (0x40..0x4F) or 0 if none
 * @param map           opcode map: 0 one-byte, 1 0F, 2 0F38, 3 0F3A
 * @param opcode        the opcode byte within its map
 * @param feature       CPUID feature required ({@link Feature#BASE} for none)
 * @param privileged    CPL-0 only or IOPL-sensitive (front end checks and raises #GP)
 * @param error         why INVALID, else null
 * @param faultAddr     for {@link DecodeError#FETCH_FAULT}: the address that could not be fetched, else -1
 */
public record X86Insn(long pc, int length, byte[] bytes, X86Mode mode, X86Op op, int cond, Kind kind,
                      List<Operand> operands, int opSize, int operandSizeAttr, int addrSize,
                      boolean lock, boolean rep, boolean repne, boolean opsizePrefix, boolean addrsizePrefix,
                      int segment, int rex, int map, int opcode, Feature feature, boolean privileged,
                      DecodeError error, long faultAddr) {

    public boolean isValid() { return kind != Kind.INVALID; }
    public long nextPc() { return pc + length; }
    public int operandCount() { return operands.size(); }
    public Operand operand(int i) { return operands.get(i); }
    public boolean rexPresent() { return rex != 0; }
    public boolean rexW() { return (rex & 8) != 0; }
    public boolean rexR() { return (rex & 4) != 0; }
    public boolean rexX() { return (rex & 2) != 0; }
    public boolean rexB() { return (rex & 1) != 0; }

    /** Intel-syntax disassembly, close to {@code objdump -d -M intel}. */
    @Override public String toString() { return Disassembler.format(this); }
}
