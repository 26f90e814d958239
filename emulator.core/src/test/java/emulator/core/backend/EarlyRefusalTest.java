package emulator.core.backend;

import static org.junit.jupiter.api.Assertions.*;

import emulator.core.ir.Inst;
import emulator.core.ir.IrBlock;
import emulator.core.ir.IrBuilder;
import emulator.core.ir.Type;
import emulator.core.ir.Val;
import emulator.core.opt.Optimizer;
import emulator.core.testing.ToyTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A region or trace too large is refused before all of it is made ({@link BytecodeCompiler#EARLY_REFUSAL}):
 * the refusal must be the one the whole method's size would give, never a region that fits turned
 * away (which would only cost speed, silently) — the estimate of {@link BytecodeCompiler#MIN_BYTES_PER_OP}
 * per IR op must stay a lower bound, and a method refused half-made must be over the limit.
 */
class EarlyRefusalTest {
    final BytecodeCompiler compiler = new BytecodeCompiler(true);

    @Test
    void theEstimateNeverExceedsTheCodeMade() {
        for (long seed = 0; seed < 400; seed++) {
            IrBlock b = new RandomProgramTest.Gen(seed).build();
            if (seed % 2 == 1) Optimizer.run(b);
            int size = compiler.regionCodeSize(List.of(b));
            assertTrue(size >= BytecodeCompiler.MIN_BYTES_PER_OP * ops(b),
                    "seed " + seed + ": " + ops(b) + " ops made only " + size + " bytes");
        }
    }

    @Test
    void aRegionIsRefusedExactlyWhenItsMethodWouldNotFit() {
        assertTrue(BytecodeCompiler.EARLY_REFUSAL, "this test is about -Dabiscope.earlyRefusal (on by default)");
        SplittableRandom r = new SplittableRandom(7);
        int refused = 0, accepted = 0;
        for (int n = 1; n <= 12; n++) {
            List<IrBlock> chain = chain(n, r);
            int size = compiler.regionCodeSize(chain);
            long ops = chain.stream().mapToLong(EarlyRefusalTest::ops).sum();
            int[] limits = {size - 1, size, size + 1, size / 2, size / 3, (int) (ops * BytecodeCompiler.MIN_BYTES_PER_OP) - 1,
                    (int) (ops * BytecodeCompiler.MIN_BYTES_PER_OP)};
            for (int limit : limits) {
                if (limit <= 0) continue;
                boolean fits = compiler.fitsInRegion(chain, limit);
                assertEquals(size <= limit, fits, n + " blocks of " + size + " bytes, limit " + limit);
                if (fits) accepted++; else refused++;
            }
        }
        assertTrue(refused > 20 && accepted > 20, "both outcomes exercised: " + refused + " refused, " + accepted + " fitted");
    }

    /** {@code n} blocks one after another, each some register arithmetic, the last jumping back to the first. */
    static List<IrBlock> chain(int n, SplittableRandom r) {
        List<IrBlock> blocks = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            long pc = 0x1000 + 0x100L * k;
            IrBuilder ir = new IrBuilder(pc, ToyTarget.SLOTS);
            int insns = 2 + r.nextInt(20);
            for (int i = 0; i < insns; i++) {
                ir.beginInsn(pc + 4L * i);
                Val a = ir.getReg(r.nextInt(8), Type.I64), b = ir.getReg(r.nextInt(8), Type.I64);
                ir.setReg(r.nextInt(8), r.nextBoolean() ? ir.add(a, ir.xor(b, ir.c64(r.nextLong()))) : ir.mul(a, b));
            }
            ir.exit(k + 1 < n ? pc + 0x100 : 0x1000);
            blocks.add(ir.finish());
        }
        return blocks;
    }

    static long ops(IrBlock b) {
        long n = 0;
        for (Inst i : b.ops) if (!i.isNop()) n++;
        return n;
    }
}
