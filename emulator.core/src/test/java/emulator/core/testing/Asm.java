package emulator.core.testing;

import static emulator.core.testing.ToyTarget.*;

import java.io.ByteArrayOutputStream;

/** Assembler for the toy ISA. */
public final class Asm {
    public final long origin;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public Asm(long origin) { this.origin = origin; }

    public static byte[] encode(int op, int rd, int rs, long imm) {
        return new byte[] {(byte) op, (byte) rd, (byte) rs, 0, (byte) imm, (byte) (imm >> 8), (byte) (imm >> 16), (byte) (imm >> 24)};
    }

    /** Address of the next instruction. */
    public long here() { return origin + out.size(); }

    public Asm insn(int op, int rd, int rs, long imm) { out.writeBytes(encode(op, rd, rs, imm)); return this; }

    public Asm loadi(int rd, long imm) { return insn(LOADI, rd, 0, imm); }
    public Asm addi(int rd, long imm) { return insn(ADDI, rd, 0, imm); }
    public Asm add(int rd, int rs) { return insn(ADD, rd, rs, 0); }
    public Asm stb(int rd, long off, int rs) { return insn(STB, rd, rs, off); }
    public Asm ldb(int rd, int rs, long off) { return insn(LDB, rd, rs, off); }
    public Asm ld(int rd, int rs, long off) { return insn(LD, rd, rs, off); }
    public Asm st(int rd, long off, int rs) { return insn(ST, rd, rs, off); }
    public Asm divu(int rd, int rs) { return insn(DIVU, rd, rs, 0); }
    public Asm jmp(long target) { return insn(JMP, 0, 0, target); }
    public Asm jnz(int rd, long target) { return insn(JNZ, rd, 0, target); }
    public Asm jr(int rd) { return insn(JR, rd, 0, 0); }
    public Asm halt() { return insn(HALT, 0, 0, 0); }
    public Asm sys() { return insn(SYS, 0, 0, 0); }
    public Asm trapi(int vector) { return insn(TRAPI, 0, 0, vector); }
    public Asm probe() { return insn(PROBE, 0, 0, 0); }
    public Asm heavy(int rd, long rounds) { return insn(HEAVY, rd, 0, rounds); }
    public Asm pad(long addr) { while (here() < addr) insn(0xEE, 0, 0, 0); return this; }

    public byte[] bytes() { return out.toByteArray(); }
}
