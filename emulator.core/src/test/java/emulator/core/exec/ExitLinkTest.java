package emulator.core.exec;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.testing.Asm;
import emulator.core.testing.Rig;
import org.junit.jupiter.api.Test;

/**
 * An exit link lives in compiled code, and compiled code is shared between address spaces and
 * machines whose blocks translate alike ({@code SharedCode}): the link must lead each vCPU to the
 * successor of its own address space, whatever another space's vCPU found through it before.
 */
class ExitLinkTest {
    static final long CODE = 0x1000, NEXT = CODE + 0x100;

    @Test
    void aLinkSharedByTwoAddressSpacesLeadsEachToItsOwnSuccessor() {
        // the same first block (jump to NEXT) in both; different blocks at NEXT
        Rig a = ran(new Asm(CODE).jmp(NEXT).pad(NEXT).loadi(3, 1).halt());
        Rig b = ran(new Asm(CODE).jmp(NEXT).pad(NEXT).loadi(3, 2).halt());
        ExitLink link = new ExitLink(NEXT);
        CompiledBlock first = next(link, a), other = next(link, b), again = next(link, a);
        assertSame(a.cpu.cache.get(NEXT, a.cpu.mode).code(), first);
        assertSame(b.cpu.cache.get(NEXT, b.cpu.mode).code(), other, "b's own block at NEXT, not the one a's vCPU linked");
        assertNotSame(first, other);
        assertSame(first, again);
    }

    private static Rig ran(Asm program) {
        Rig r = new Rig(BackendKind.COMPILED);
        r.load(program);
        r.run(CODE);
        assertNotNull(r.cpu.cache.get(NEXT, r.cpu.mode).code(), "compiled before its first run");
        return r;
    }

    private static CompiledBlock next(ExitLink link, Rig r) {
        r.cpu.exitRequest = false; // as in the middle of a run
        r.cpu.chained = 0;
        return link.next(r.cpu);
    }
}
