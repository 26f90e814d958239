package emulator.core.backend;

import static org.junit.jupiter.api.Assertions.*;

import emulator.core.ir.Inst;
import emulator.core.ir.IrBlock;
import emulator.core.ir.Op;
import emulator.core.ir.Type;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which accesses {@link PageGuards#atRegionEntry} takes, on hand-made IR: only addresses that are,
 * on every path, a register no member writes plus a constant. (RegionEntryGuardTest runs such
 * regions against the interpreter; this covers IR shapes its toy programs cannot make.)
 */
class RegionEntryPlanTest {
    private static Inst op(IrBlock b, Op op, Type t, int dst, int a, int c, long imm) {
        Inst i = new Inst(op, t);
        i.dst = dst; i.a = a; i.b = c; i.imm = imm;
        b.ops.add(i);
        return i;
    }

    private static int temp(IrBlock b, Type t) { b.temps.add(t); return b.temps.size() - 1; }

    /**
     * Loads at r1 + 8 and r1 + 16, then at a temp that one branch sets to r1 + 8 and the other to
     * r1 + 24: the last one written in the ops' order is not the value on every path, so that load
     * is no member.
     */
    @Test
    void aTempWrittenTwiceIsNoRoot() {
        IrBlock b = new IrBlock(0x1000, 8);
        b.labels = 2;
        int r1 = temp(b, Type.I64), k8 = temp(b, Type.I64), k16 = temp(b, Type.I64), k24 = temp(b, Type.I64);
        int a8 = temp(b, Type.I64), a16 = temp(b, Type.I64), twice = temp(b, Type.I64), v = temp(b, Type.I64);
        int cond = temp(b, Type.I32);
        op(b, Op.GETR, Type.I64, r1, -1, -1, 1);
        op(b, Op.CONST, Type.I64, k8, -1, -1, 8);
        op(b, Op.CONST, Type.I64, k16, -1, -1, 16);
        op(b, Op.CONST, Type.I64, k24, -1, -1, 24);
        op(b, Op.ADD, Type.I64, a8, r1, k8, 0);
        op(b, Op.ADD, Type.I64, a16, r1, k16, 0);
        Inst first = op(b, Op.LOAD, Type.I64, v, a8, -1, 8);
        Inst second = op(b, Op.LOAD, Type.I64, v, a16, -1, 8);
        op(b, Op.CONST, Type.I32, cond, -1, -1, 1);
        op(b, Op.BRC, Type.I32, -1, cond, -1, 0);
        op(b, Op.ADD, Type.I64, twice, r1, k8, 0);
        op(b, Op.BR, Type.I64, -1, -1, -1, 1);
        op(b, Op.LABEL, Type.I64, -1, -1, -1, 0);
        op(b, Op.ADD, Type.I64, twice, r1, k24, 0);
        op(b, Op.LABEL, Type.I64, -1, -1, -1, 1);
        Inst third = op(b, Op.LOAD, Type.I64, v, twice, -1, 8);
        Inst exit = new Inst(Op.EXIT, Type.I64);
        exit.imm = 0x1000;
        b.ops.add(exit);
        Map<Inst, PageGuards.Group> g = PageGuards.atRegionEntry(List.of(b), 0);
        assertNotNull(g.get(first), "[r1+8] is at r1 plus a constant");
        assertSame(g.get(first), g.get(second));
        assertNull(g.get(third), "the access through a temp written on two paths");
        assertEquals(1, g.get(first).entryRegister);
    }

    /** A register some member writes, or a helper that is not pure, or a callback: no entry guard. */
    @Test
    void aWrittenRegisterIsNoRoot() {
        IrBlock b = new IrBlock(0x1000, 8), c = new IrBlock(0x2000, 8);
        int r1 = temp(b, Type.I64), k8 = temp(b, Type.I64), a8 = temp(b, Type.I64), v = temp(b, Type.I64), w = temp(b, Type.I64);
        op(b, Op.GETR, Type.I64, r1, -1, -1, 1);
        op(b, Op.CONST, Type.I64, k8, -1, -1, 8);
        op(b, Op.ADD, Type.I64, a8, r1, k8, 0);
        Inst x = op(b, Op.LOAD, Type.I64, v, a8, -1, 8);
        Inst y = op(b, Op.LOAD, Type.I64, w, r1, -1, 8);
        int cv = temp(c, Type.I64);
        op(c, Op.CONST, Type.I64, cv, -1, -1, 0x5000);
        Inst set = op(c, Op.SETR, Type.I64, -1, cv, -1, 1);
        assertFalse(PageGuards.atRegionEntry(List.of(b), 0).isEmpty(), "alone, the block's two loads at r1 form a group");
        Map<Inst, PageGuards.Group> g = PageGuards.atRegionEntry(List.of(b, c), 0);
        assertNull(g.get(x), "another member writes r1");
        assertNull(g.get(y));
        assertNotNull(set);
    }
}
