package emulator.core.opt;

import static org.junit.jupiter.api.Assertions.*;

import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.ir.Cond;
import emulator.core.ir.Helper;
import emulator.core.ir.IrBlock;
import emulator.core.ir.IrBuilder;
import emulator.core.ir.Label;
import emulator.core.ir.Op;
import emulator.core.ir.Type;
import emulator.core.ir.Val;
import emulator.core.mem.Prot;
import emulator.core.testing.Rig;
import emulator.core.testing.ToyTarget;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    static final long PC = 0x1000;

    static IrBlock block(Consumer<IrBuilder> body) {
        IrBuilder ir = new IrBuilder(PC, ToyTarget.SLOTS);
        ir.beginInsn(PC);
        body.accept(ir);
        return ir.finish();
    }

    /** SETR r1 = 1, then {@code between}, then SETR r1 = 2; exit. Returns the SETR count after the dead-store pass. */
    static long setrsLeft(Consumer<IrBuilder> between) {
        IrBlock b = block(ir -> {
            ir.setReg(1, ir.getReg(2, Type.I64));
            between.accept(ir);
            ir.setReg(1, ir.getReg(3, Type.I64));
            ir.exit(0x2000);
        });
        Optimizer.deadStateStores(b);
        Optimizer.deadCode(b);
        return b.ops.stream().filter(i -> i.op == Op.SETR && i.imm == 1).count();
    }

    @Test
    void deadStateStoreRemoved() {
        assertEquals(1, setrsLeft(ir -> {}));
        assertEquals(1, setrsLeft(ir -> ir.setReg(4, ir.add(ir.getReg(5, Type.I64), ir.c64(1)))), "pure ops and other slots between");
        assertEquals(1, setrsLeft(ir -> ir.beginInsn(PC + 8)), "an instruction boundary between");
    }

    @Test
    void deadStateStoreKeptWhenSomethingCanObserveIt() {
        assertEquals(2, setrsLeft(ir -> ir.setReg(4, ir.getReg(1, Type.I32))), "read of the slot");
        assertEquals(2, setrsLeft(ir -> ir.load(Type.I64, ir.c64(0x10000), 8, false)), "load (may fault)");
        assertEquals(2, setrsLeft(ir -> ir.store(ir.c64(0x10000), ir.c64(1), 8)), "store (may fault)");
        assertEquals(2, setrsLeft(ir -> ir.call(new Helper("p", (c, a, b, x, y) -> 0, 0, true, 0))), "helper call");
        assertEquals(2, setrsLeft(ir -> ir.divu(ir.getReg(6, Type.I64), ir.getReg(7, Type.I64))), "divide (may trap)");
        assertEquals(2, setrsLeft(ir -> {
            Label l = ir.newLabel();
            ir.brc(ir.setc(Cond.EQ, ir.getReg(6, Type.I64), ir.c64(0)), l);
            ir.exit(0x3000);
            ir.label(l);
        }), "conditional exit between");
        assertEquals(2, setrsLeft(ir -> {
            Label l = ir.newLabel();
            ir.label(l);
        }), "label between");
        assertEquals(2, setrsLeft(ir -> {
            Label l = ir.newLabel();
            ir.brc(ir.getReg(6, Type.I32), l);
            ir.label(l);
        }), "branch between");
    }

    /**
     * Builds {@code body} twice: runs it as built on the interpreter (the reference), and optimized
     * on both backends; registers and the next pc must agree. Returns the optimized block.
     */
    static IrBlock optimizedAgrees(Consumer<IrBuilder> body, long... regs) {
        IrBlock plain = block(body), opt = block(body);
        Optimizer.run(opt);
        Rig ref = new Rig(BackendKind.INTERPRETED);
        System.arraycopy(regs, 0, ref.cpu.regs, 0, regs.length);
        long refPc = Rig.exec(plain, ref.cpu, BackendKind.INTERPRETED);
        for (BackendKind k : new BackendKind[] {BackendKind.INTERPRETED, BackendKind.COMPILED}) {
            Rig rig = new Rig(k);
            System.arraycopy(regs, 0, rig.cpu.regs, 0, regs.length);
            assertEquals(refPc, Rig.exec(opt, rig.cpu, k), k + ": next pc");
            assertArrayEquals(ref.cpu.regs, rig.cpu.regs, k + ": registers\n" + opt);
        }
        return opt;
    }

    static final long[] WIDE = {0, 0xFFFF_FFFF_8000_0001L, 0x1_2345_6789L, -1L, 0x7FFF_FFFFL, 0};

    @Test
    void extensionChainsCollapse() {
        // 32-bit add in 64-bit slots as the x86 front end writes it: the narrowing and widening
        // after the first zero-extension are the same value
        IrBlock b = optimizedAgrees(ir -> {
            Val sum = ir.extu(Type.I64, ir.add(ir.getReg(1, Type.I64), ir.getReg(2, Type.I64)), 32);
            Val low = ir.to32(sum);
            ir.setReg(3, ir.to64(low));
            ir.setReg(4, ir.to64(ir.to32(ir.getReg(1, Type.I64)))); // not zero-extended before: kept
            ir.exit(0x2000);
        }, WIDE);
        assertEquals(3, Optimizer.count(b, Op.EXTU), "one for the sum, two for the truncation of r1\n" + b);
    }

    @Test
    void slotReadsAfterWritesAreForwarded() {
        IrBlock b = optimizedAgrees(ir -> {
            ir.setReg(1, ir.add(ir.getReg(2, Type.I32), ir.c32(-7)));   // i32 write: the slot holds it zero-extended
            ir.setReg(3, ir.add(ir.getReg(1, Type.I64), ir.c64(1)));    // i64 read of it
            ir.setReg(4, ir.getReg(3, Type.I32));                       // i32 read of an i64 write
            ir.setReg(5, ir.getReg(1, Type.I32));
            ir.exit(0x2000);
        }, WIDE);
        assertEquals(1, Optimizer.count(b, Op.GETR), "only r2 is read from the state\n" + b);
    }

    @Test
    void nothingIsForwardedPastALabelOrAHelper() {
        Helper writes = new Helper("w", (c, a, x, y, z) -> { c.regs[1] = 99; return 0; }, 0, false, Helper.WRITES_REGS);
        IrBlock b = optimizedAgrees(ir -> {
            ir.setReg(1, ir.c64(5));
            ir.call(writes);
            ir.setReg(2, ir.getReg(1, Type.I64)); // 99, not 5
            Label l = ir.newLabel();
            ir.brc(ir.getReg(5, Type.I32), l);
            ir.setReg(3, ir.c64(7));
            ir.label(l);
            ir.setReg(4, ir.getReg(3, Type.I64)); // 7 or the old r3, depending on the path
            ir.exit(0x2000);
        }, WIDE);
        assertEquals(3, Optimizer.count(b, Op.GETR), "r1 after the helper, r5, r3 after the label\n" + b);
    }

    @Test
    void repeatedValuesAndIdentitiesBecomeCopies() {
        IrBlock b = optimizedAgrees(ir -> {
            Val x = ir.getReg(1, Type.I64), y = ir.getReg(2, Type.I64);
            ir.setReg(3, ir.add(x, y));
            ir.setReg(4, ir.add(ir.add(x, y), ir.c64(0)));
            ir.setReg(5, ir.sub(ir.and(ir.xor(x, ir.c64(0)), ir.c64(-1)), ir.c64(0)));
            ir.setReg(6, ir.sub(ir.c64(0), x)); // not an identity
            ir.exit(0x2000);
        }, WIDE);
        assertEquals(1, Optimizer.count(b, Op.ADD), b.toString());
        assertEquals(1, Optimizer.count(b, Op.SUB), b.toString());
        assertEquals(0, Optimizer.count(b, Op.AND) + Optimizer.count(b, Op.XOR), b.toString());
    }

    @Test
    void pureHelperCallsAreMergedAndRemovedWhenUnused() {
        int[] calls = {0};
        Helper mix = Helper.pure("mix", 2, (c, x, y, u, v) -> { calls[0]++; return x * 31 + y; });
        IrBlock b = optimizedAgrees(ir -> {
            Val x = ir.getReg(1, Type.I64), y = ir.getReg(2, Type.I64);
            ir.setReg(3, ir.call(mix, x, y));
            ir.setReg(4, ir.call(mix, x, y));       // the same call: merged
            ir.call(mix, y, x);                     // result unused: removed
            ir.setReg(5, ir.call(mix, y, x));
            ir.exit(0x2000);
        }, WIDE);
        assertEquals(2, Optimizer.count(b, Op.CALL), b.toString());
        assertEquals(1, setrsLeft(ir -> ir.call(mix, ir.getReg(6, Type.I64), ir.getReg(7, Type.I64))),
                "a pure helper observes no state: the first store is dead");
    }

    /** A label whose only branch folded away no longer ends the stretch: stores across it die. */
    @Test
    void labelsLeftWithoutBranchesGo() {
        IrBlock b = optimizedAgrees(ir -> {
            ir.setReg(1, ir.getReg(2, Type.I64));
            Label skip = ir.newLabel();
            ir.brc(ir.setc(Cond.EQ, ir.c32(6), ir.c32(0)), skip); // a rotate's "count is zero" test
            ir.setReg(3, ir.c64(9));
            ir.label(skip);
            ir.setReg(1, ir.getReg(4, Type.I64));
            ir.exit(0x2000);
        }, WIDE);
        assertEquals(0, Optimizer.count(b, Op.LABEL), b.toString());
        assertEquals(1, b.ops.stream().filter(i -> i.op == Op.SETR && i.imm == 1).count(), b.toString());
    }

    @Test
    void deadStoreEliminationKeepsResults() {
        // the store that survives must be the last one; run it
        IrBlock b = block(ir -> {
            ir.setReg(1, ir.c64(1));
            ir.setReg(1, ir.c64(2));
            ir.setReg(1, ir.c64(3));
            ir.exit(0x2000);
        });
        Optimizer.run(b);
        assertEquals(1, Optimizer.count(b, Op.SETR));
        for (BackendKind k : new BackendKind[] {BackendKind.INTERPRETED, BackendKind.COMPILED}) {
            Rig rig = new Rig(k);
            Rig.exec(b, rig.cpu, k);
            assertEquals(3, rig.cpu.regs[1]);
        }
    }

    @Test
    void foldingAndDeadCode() {
        IrBlock b = block(ir -> {
            Val x = ir.add(ir.c64(40), ir.c64(2));
            Val y = ir.mul(x, ir.c64(10));
            ir.add(ir.getReg(0, Type.I64), ir.c64(5));  // unused: removed
            ir.setReg(1, ir.select(ir.setc(Cond.GTU, y, x), y, x));
            ir.exit(0x2000);
        });
        Optimizer.run(b);
        assertEquals(0, Optimizer.count(b, Op.ADD));
        assertEquals(0, Optimizer.count(b, Op.MUL));
        assertEquals(0, Optimizer.count(b, Op.GETR));
        assertEquals(0, Optimizer.count(b, Op.SELECT));
        Rig rig = new Rig(BackendKind.INTERPRETED);
        Rig.exec(b, rig.cpu, BackendKind.INTERPRETED);
        assertEquals(420, rig.cpu.regs[1]);
    }

    /** A branch whose condition folds to "always taken" must leave a valid block that still branches. */
    @Test
    void constantBranches() {
        for (int cond : new int[] {0, 1}) for (BackendKind k : new BackendKind[] {BackendKind.INTERPRETED, BackendKind.COMPILED}) {
            IrBlock b = block(ir -> {
                Label l = ir.newLabel();
                ir.brc(ir.setc(Cond.EQ, ir.c32(cond), ir.c32(1)), l);
                ir.setReg(1, ir.c64(11));
                ir.exit(0x2000);
                ir.label(l);
                ir.setReg(1, ir.c64(22));
                ir.exit(0x3000);
            });
            Optimizer.run(b);
            Rig rig = new Rig(k);
            assertEquals(cond == 1 ? 0x3000 : 0x2000, Rig.exec(b, rig.cpu, k));
            assertEquals(cond == 1 ? 22 : 11, rig.cpu.regs[1]);
        }
    }

    @Test
    void memoryOpsAreNeverRemoved() {
        IrBlock b = block(ir -> {
            ir.load(Type.I64, ir.c64(0x7000), 8, false); // result unused, but it can fault
            ir.exit(0x2000);
        });
        Optimizer.run(b);
        assertEquals(1, Optimizer.count(b, Op.LOAD));
        Rig rig = new Rig(BackendKind.INTERPRETED);
        rig.space.map(0x8000, 0x1000, Prot.RW);
        assertThrows(emulator.core.exec.GuestException.class, () -> Rig.exec(b, rig.cpu, BackendKind.INTERPRETED));
    }
}
