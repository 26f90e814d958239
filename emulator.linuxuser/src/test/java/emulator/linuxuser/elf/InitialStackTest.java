package emulator.linuxuser.elf;

import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class InitialStackTest {

    @Test
    void roundTripAndAbiRulesForManyShapes() throws Exception {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int word : new int[]{4, 8}) {
            for (int iter = 0; iter < 300; iter++) {
                List<String> argv = new ArrayList<>(), envp = new ArrayList<>();
                int argc = rnd.nextInt(6), envc = rnd.nextInt(6);
                for (int i = 0; i < argc; i++) argv.add("a".repeat(rnd.nextInt(20)) + i + "é");
                for (int i = 0; i < envc; i++) envp.add("K" + i + "=" + "v".repeat(rnd.nextInt(30)));
                byte[] random = new byte[16];
                rnd.nextBytes(random);
                long top = word == 4 ? 0xffffe000L : 0x7ffffffff000L;
                InitialStack.Builder b = InitialStack.builder(word).argv(argv).envp(envp).execfn("/bin/prog")
                        .platform(iter % 3 == 0 ? null : "x86_64").random(random);
                b.aux(Auxv.AT_PAGESZ, 4096).aux(Auxv.AT_RANDOM, 0).aux(Auxv.AT_EXECFN, 0);
                if (iter % 3 != 0) b.aux(Auxv.AT_PLATFORM, 0);
                InitialStack s = b.build(top);
                assertEquals(0, s.sp() % 16, "sp 16-byte aligned");
                assertEquals(top - s.sp(), s.size());
                byte[] img = s.image();
                InitialStack.Parsed p = InitialStack.parse(img, s.sp(), s.sp(), word);
                assertEquals(argc, p.argc());
                assertEquals(argv, p.argv());
                assertEquals(envp, p.envp());
                assertEquals(s.auxv(), p.auxv());
                assertEquals(s.sp() + word, p.argvAddress());
                assertEquals(p.argvAddress() + (argc + 1L) * word, p.envpAddress());
                assertEquals(p.envpAddress() + (envc + 1L) * word, p.auxvAddress());
                assertEquals(Auxv.AT_NULL, p.auxv().getLast().type());
                assertEquals("/bin/prog", InitialStack.Parsed.string(img, s.sp(), p.aux(Auxv.AT_EXECFN)));
                int r = (int) (p.aux(Auxv.AT_RANDOM) - s.sp());
                assertArrayEquals(random, Arrays.copyOfRange(img, r, r + 16));
                if (iter % 3 != 0) assertEquals("x86_64", InitialStack.Parsed.string(img, s.sp(), p.aux(Auxv.AT_PLATFORM)));
                // strings: argv[0] lowest, then the rest ascending, envp above, execfn on top, 8 zero bytes last
                for (int i = img.length - 8; i < img.length; i++) assertEquals(0, img[i]);
                assertEquals(top - 8 - "/bin/prog".length() - 1, s.execfnAddress());
            }
        }
    }

    @Test
    void limits() {
        assertThrows(IllegalArgumentException.class, () -> InitialStack.builder(8).arg("a\0b"));
        assertThrows(IllegalArgumentException.class, () -> InitialStack.builder(6));
        assertThrows(IllegalArgumentException.class, () -> InitialStack.builder(8).random(new byte[3]));
        assertThrows(IllegalArgumentException.class, () -> InitialStack.builder(8).arg("x").build(0x7ffffffff008L));
        ErrnoException big = assertThrows(ErrnoException.class,
                () -> InitialStack.builder(8).arg("x".repeat(InitialStack.MAX_ARG_STRLEN)).build(0x7ffffffff000L));
        assertEquals(Errno.E2BIG, big.errno());
        InitialStack.Builder many = InitialStack.builder(8).maxArgBytes(1000);
        for (int i = 0; i < 100; i++) many.arg("0123456789");
        assertEquals(Errno.E2BIG, assertThrows(ErrnoException.class, () -> many.build(0x7ffffffff000L)).errno());
        assertThrows(IllegalStateException.class, () -> InitialStack.builder(8).aux(Auxv.AT_PLATFORM, 0).build(0x7ffffffff000L));
    }

    @Test
    void kernelAuxvOrder() throws Exception {
        byte[] b = ElfMalformedTest.elf64(new long[][]{ElfMalformedTest.TEXT}, 0x1000);
        LoadPlan plan = LoadPlan.of(ElfFile.parse(b), 0);
        InitialStack s = InitialStack.builder(8).arg("p").execfn("/p").platform("x86_64")
                .kernelAuxv(plan, 0, 0x178bfbff, 2, 1000, 1000, 100, 100, false).build(0x7ffffffff000L);
        assertEquals(List.of("AT_HWCAP", "AT_PAGESZ", "AT_CLKTCK", "AT_PHDR", "AT_PHENT", "AT_PHNUM", "AT_BASE",
                        "AT_FLAGS", "AT_ENTRY", "AT_UID", "AT_EUID", "AT_GID", "AT_EGID", "AT_SECURE", "AT_RANDOM",
                        "AT_HWCAP2", "AT_EXECFN", "AT_PLATFORM", "AT_NULL"),
                s.auxv().stream().map(e -> Auxv.name(e.type())).toList());
        InitialStack.Parsed p = InitialStack.parse(s.image(), s.sp(), s.sp(), 8);
        assertEquals(0x400040, p.aux(Auxv.AT_PHDR));
        assertEquals(0x401000, p.aux(Auxv.AT_ENTRY));
        assertEquals(56, p.aux(Auxv.AT_PHENT));
        assertEquals(4096, p.aux(Auxv.AT_PAGESZ));
        assertEquals(100, p.aux(Auxv.AT_CLKTCK));
    }
}
