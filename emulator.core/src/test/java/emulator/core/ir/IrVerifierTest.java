package emulator.core.ir;

import static org.junit.jupiter.api.Assertions.*;

import emulator.core.testing.ToyTarget;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Malformed blocks are rejected with an IrException naming the guest pc of the bad instruction. */
class IrVerifierTest {
    static final long PC = 0x4000, PC2 = 0x4abc;

    /** A well-formed first instruction, then {@code bad} inside the second (at PC2). */
    static void rejects(String want, Consumer<IrBuilder> bad) {
        IrBuilder ir = new IrBuilder(PC, ToyTarget.SLOTS);
        ir.beginInsn(PC);
        ir.setReg(1, ir.c64(1));
        ir.beginInsn(PC2);
        bad.accept(ir);
        IrBlock b = ir.finish();
        IrException e = assertThrows(IrException.class, () -> IrVerifier.verify(b));
        assertTrue(e.getMessage().contains("0x4abc"), "names the pc: " + e.getMessage());
        assertTrue(e.getMessage().contains(want), "says what: " + e.getMessage());
    }

    static Inst raw(IrBuilder ir, Op op, Type t) {
        Inst i = new Inst(op, t);
        ir.block().ops.add(i);
        return i;
    }

    @Test
    void wellFormedPasses() {
        IrBuilder ir = new IrBuilder(PC, ToyTarget.SLOTS);
        ir.beginInsn(PC);
        Val a = ir.getReg(0, Type.I64);
        Label l = ir.newLabel();
        ir.brc(ir.setc(Cond.EQ, a, ir.c64(0)), l);
        ir.exit(0x10);
        ir.label(l);
        ir.exit(a);
        assertDoesNotThrow(() -> IrVerifier.verify(ir.finish()));
    }

    @Test
    void useBeforeDef() {
        rejects("used before", ir -> {
            Val later = ir.newTemp(Type.I64);
            ir.setReg(2, later);
            ir.assign(later, ir.c64(3));
            ir.exit(0);
        });
    }

    @Test
    void typeMismatch() {
        rejects("should be", ir -> {
            Val a = ir.c32(1);
            Val b = ir.c64(2);
            Inst i = raw(ir, Op.ADD, Type.I64);
            i.dst = ir.newTemp(Type.I64).id(); i.a = a.id(); i.b = b.id();
            ir.exit(0);
        });
        rejects("dst type", ir -> {
            Inst i = raw(ir, Op.CONST, Type.I64);
            i.dst = ir.newTemp(Type.I32).id();
            ir.exit(0);
        });
        rejects("bad setc", ir -> {
            Val a = ir.c64(1), b = ir.c64(2);
            Inst i = raw(ir, Op.SETC, Type.I32);
            i.dst = ir.newTemp(Type.I32).id(); i.a = a.id(); i.b = b.id(); i.aux = Cond.EQ; i.imm = 0;
            ir.exit(0);
        });
    }

    @Test
    void missingTerminator() {
        rejects("does not end", ir -> ir.setReg(2, ir.c64(2)));
    }

    @Test
    void unknownLabel() {
        rejects("undefined label", ir -> {
            ir.br(new Label(5));
        });
    }

    @Test
    void badSlot() {
        rejects("state slot", ir -> {
            Inst i = raw(ir, Op.GETR, Type.I64);
            i.dst = ir.newTemp(Type.I64).id(); i.imm = ToyTarget.SLOTS;
            ir.exit(0);
        });
        rejects("state slot", ir -> {
            Val a = ir.c64(1);
            Inst i = raw(ir, Op.SETR, Type.I64);
            i.a = a.id(); i.imm = -1;
            ir.exit(0);
        });
    }

    @Test
    void unreachableCodeAndBadWidths() {
        rejects("unreachable", ir -> { ir.exit(0); ir.setReg(2, ir.c64(1)); ir.exit(0); });
        rejects("extension", ir -> {
            Val a = ir.c64(1);
            Inst i = raw(ir, Op.EXTU, Type.I32);
            i.dst = ir.newTemp(Type.I32).id(); i.a = a.id(); i.imm = 33;
            ir.exit(0);
        });
        rejects("access size", ir -> {
            Val a = ir.c64(0x1000);
            Inst i = raw(ir, Op.LOAD, Type.I64);
            i.dst = ir.newTemp(Type.I64).id(); i.a = a.id(); i.imm = 3;
            ir.exit(0);
        });
    }

    @Test
    void builderRejectsWithPcToo() {
        IrBuilder ir = new IrBuilder(PC, ToyTarget.SLOTS);
        ir.beginInsn(PC2);
        IrException e = assertThrows(IrException.class, () -> ir.add(ir.c32(1), ir.c64(1)));
        assertTrue(e.getMessage().contains("0x4abc"), e.getMessage());
        assertThrows(IrException.class, () -> ir.getReg(ToyTarget.SLOTS, Type.I64));
    }
}
