package emulator.core.backend;

import static org.junit.jupiter.api.Assertions.*;

import emulator.core.ir.Cond;
import emulator.core.ir.IrBlock;
import emulator.core.ir.IrBuilder;
import emulator.core.ir.Label;
import emulator.core.ir.Type;
import emulator.core.testing.ToyTarget;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Generated code is a version-49 class file without stack maps (see {@code BytecodeCompiler.STACK_MAPS}):
 * the JVM verifies it by type inference, so ASM need not compute frames. A block with a branch
 * and a memory access (and so a fault handler) is the case where a newer class file would need them.
 * The other backend tests (RandomProgramTest, RegionTest, RestartTest, ...) run such classes.
 */
class ClassFormatTest {
    static IrBlock blockWithBranch() {
        IrBuilder ir = new IrBuilder(0x1000, ToyTarget.SLOTS);
        ir.beginInsn(0x1000);
        var a = ir.getReg(0, Type.I64);
        var v = ir.load(Type.I64, a, 8, false);
        Label skip = ir.newLabel();
        ir.brc(ir.setc(Cond.EQ, v, ir.c64(0)), skip);
        ir.setReg(1, ir.add(v, ir.c64(1)));
        ir.label(skip);
        ir.exit(0x2000);
        return ir.finish();
    }

    @Test
    void blocksAreVersion49ClassFilesWithoutStackMaps() {
        assumeDefaultFormat();
        for (boolean restarts : new boolean[] {false, true}) {
            byte[] bytes = new BytecodeCompiler(restarts).classFile(blockWithBranch());
            int major = ((bytes[6] & 0xff) << 8) | (bytes[7] & 0xff);
            assertEquals(Opcodes.V1_5, major, "class file version");
            List<String> frames = new ArrayList<>();
            new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitFrame(int type, int nLocal, Object[] local, int nStack, Object[] stack) {
                            frames.add(name);
                        }
                    };
                }
            }, 0);
            assertEquals(List.of(), frames, "methods with stack map frames");
            // and the JVM takes it: defined and run by the compiler the same way
            assertNotNull(new BytecodeCompiler(restarts).compile(blockWithBranch()));
        }
    }

    /** The test is about the default; a run with -Dabiscope.stackMaps=true asks for the other format. */
    private static void assumeDefaultFormat() {
        org.junit.jupiter.api.Assumptions.assumeFalse(BytecodeCompiler.STACK_MAPS, "-Dabiscope.stackMaps=true: version-21 classes asked for");
    }
}
