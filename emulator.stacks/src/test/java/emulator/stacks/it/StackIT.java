package emulator.stacks.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import emulator.api.stack.StackManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/** Stack files: applied by the shell's service and by dropping them into the hot-deploy folder; bad ones rejected whole. */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class StackIT {
    @InjectBundleContext BundleContext context;
    @InjectService StackManager stacks;
    @InjectService ConfigurationAdmin configAdmin;
    @TempDir Path tmp;

    @AfterEach
    void noStackLeft() throws Exception {
        for (String l : stacks.list()) stacks.remove(l.substring(0, l.indexOf(':')));
    }

    private Path stackFile(String name, String... lines) throws Exception {
        return Files.write(tmp.resolve(name + ".stack"), List.of(lines));
    }

    @Test
    void applyBringsThePluginUpAndRemoveTakesItDown() throws Exception {
        Path trace = tmp.resolve("trace");
        Path file = stackFile("one", "# a comment", "traceDir = " + trace, "[plugin.instructions]", "first = 10", "ranges = 0x1000-0x2000, 0x400000-0x500000");
        assertEquals("one", stacks.apply(file));
        // the plugin created its log on activation: apply returned only once it was active
        assertTrue(Files.exists(trace.resolve("instructions.log")), "plugin not active when apply returned");
        assertEquals(List.of("one: plugin.instructions  (" + file + ")"), stacks.list());
        var props = configAdmin.listConfigurations("(service.pid=plugin.instructions)")[0].getProperties();
        assertEquals(10L, props.get("first"));
        assertTrue(props.get("ranges") instanceof String[] r && r.length == 2, "ranges is a list");
        stacks.remove("one");
        assertEquals(List.of(), stacks.list());
        assertEquals(null, configAdmin.listConfigurations("(service.pid=plugin.instructions)"));
    }

    @Test
    void badSettingIsOneErrorNamingFileAndKeyAndAppliesNothing() throws Exception {
        Path file = stackFile("bad", "[plugin.instructions]", "traceDir = " + tmp, "every = 0");
        var e = assertThrows(IllegalArgumentException.class, () -> stacks.apply(file));
        assertTrue(e.getMessage().startsWith(file + ":3: plugin.instructions every = '0': "), e.getMessage());
        assertEquals(List.of(), stacks.list());

        Path typo = stackFile("typo", "[plugin.instructions]", "evrey = 2");
        e = assertThrows(IllegalArgumentException.class, () -> stacks.apply(typo));
        assertTrue(e.getMessage().contains(typo + ":2: plugin.instructions has no setting 'evrey'"), e.getMessage());

        Path notANumber = stackFile("nan", "[plugin.instructions]", "first = many");
        e = assertThrows(IllegalArgumentException.class, () -> stacks.apply(notANumber));
        assertTrue(e.getMessage().contains(":2: plugin.instructions first = 'many': not a whole number"), e.getMessage());

        Path unknown = stackFile("unknown", "[plugin.nosuch]", "traceDir = x");
        e = assertThrows(IllegalArgumentException.class, () -> stacks.apply(unknown));
        assertTrue(e.getMessage().contains("unknown plugin 'plugin.nosuch'") && e.getMessage().contains("plugin.instructions"), e.getMessage());

        Path malformed = stackFile("malformed", "[plugin.instructions", "first = 1");
        e = assertThrows(IllegalArgumentException.class, () -> stacks.apply(malformed));
        assertTrue(e.getMessage().startsWith(malformed + ":1: "), e.getMessage());
        assertEquals(List.of(), stacks.list());
    }

    @Test
    void activationFailureRollsTheStackBack() throws Exception {
        Path file = stackFile("broken", "[plugin.instructions]", "traceDir = " + tmp, "ranges = 0x2000-0x1000");
        var e = assertThrows(IllegalArgumentException.class, () -> stacks.apply(file));
        assertTrue(e.getMessage().contains("failed to activate") && e.getMessage().contains("ends before it starts"), e.getMessage());
        assertEquals(List.of(), stacks.list());
    }

    @Test
    void stackFileDroppedIntoTheHotDeployFolderComesAndGoes() throws Exception {
        Path folder = Path.of(context.getProperty("felix.fileinstall.dir"));
        Path trace = tmp.resolve("dropped");
        Path staged = stackFile("dropped", "[plugin.instructions]", "traceDir = " + trace);
        Path target = folder.resolve("dropped.stack");
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        try {
            await("the dropped stack applied", () -> stacks.list().stream().anyMatch(l -> l.startsWith("dropped: plugin.instructions")));
            await("the plugin active", () -> Files.exists(trace.resolve("instructions.log")));
        } finally {
            Files.delete(target);
        }
        await("the stack removed with its file", () -> stacks.list().isEmpty());
    }

    /** Bounded polling: FileInstall scans every 200 ms here. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out after 15 s waiting for " + what);
            Thread.sleep(50);
        }
    }
}
