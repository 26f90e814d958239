package run.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The abiscope runtime inside a real framework (test.bndrun = abiscope.bndrun + these tests):
 * every bundle active, and the hot-deploy folder (FileInstall) installing, configuring and removing
 * what is dropped into it, surviving bad input.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class PlatformIT {

    /** Bounded wait for FileInstall (polls every 500 ms); a failure means "never", not "slow". */
    static final Duration WAIT = Duration.ofSeconds(15);

    static final List<String> REQUIRED = List.of(
            "emulator.api", "emulator.core", "emulator.x86", "emulator.linuxuser", "emulator.launcher",
            "org.apache.felix.scr", "org.apache.felix.eventadmin", "org.apache.felix.configadmin",
            "org.apache.felix.fileinstall", "org.apache.felix.metatype", "org.apache.felix.log",
            "org.apache.felix.gogo.runtime", "org.apache.felix.gogo.shell", "org.apache.felix.gogo.command");

    @InjectBundleContext
    BundleContext context;

    @InjectService
    LogReaderService logReader;

    final List<LogEntry> log = new CopyOnWriteArrayList<>();
    final LogListener listener = log::add;
    final List<Path> dropped = new ArrayList<>();
    Path folder;

    @BeforeEach
    void setUp() {
        String dir = context.getProperty("felix.fileinstall.dir");
        assertNotNull(dir, "felix.fileinstall.dir is not set");
        folder = Paths.get(dir);
        assertTrue(Files.isDirectory(folder), "hot-deploy folder missing: " + folder);
        logReader.addLogListener(listener);
    }

    @AfterEach
    void tearDown() throws Exception {
        logReader.removeLogListener(listener);
        for (Path p : dropped) {
            Files.deleteIfExists(p);
        }
        for (Path p : dropped) {
            if (p.toString().endsWith(".jar")) {
                String bsn = p.getFileName().toString().replace(".jar", "");
                await("cleanup of " + bsn, () -> bundle(bsn).isEmpty() ? Boolean.TRUE : null);
            }
            if (p.getFileName().toString().equals(Probe.PID + ".cfg")) {
                await("cleanup of the probe configuration", () -> probe().isEmpty() ? Boolean.TRUE : null);
            }
        }
    }

    @Test
    void everyBundleResolvesAndIsActive() {
        for (String bsn : REQUIRED) {
            Bundle b = bundle(bsn).orElseThrow(() -> new AssertionError("bundle not installed: " + bsn));
            assertEquals(Bundle.ACTIVE, b.getState(), bsn + " is not ACTIVE");
        }
        List<String> notActive = Arrays.stream(context.getBundles())
                .filter(b -> b.getHeaders().get("Fragment-Host") == null && b.getState() != Bundle.ACTIVE)
                .map(b -> b.getSymbolicName() + " (state " + b.getState() + ")").collect(Collectors.toList());
        assertEquals(List.of(), notActive, "bundles not active");
    }

    @Test
    void noRemoteShell() {
        for (Bundle b : context.getBundles()) {
            String bsn = String.valueOf(b.getSymbolicName());
            assertTrue(!bsn.contains("remoteshell") && !bsn.contains("shell.remote") && !bsn.contains("telnet")
                    && !bsn.contains("jline") && !bsn.contains("sshd"), "network shell bundle present: " + bsn);
        }
    }

    /**
     * abiscope.bndrun's IgnoreTopic: EventAdmin delivers what bundles post, but not the framework's
     * own bundle/service events nor log entries (their async delivery, interrupted at shutdown, once
     * printed a warning after {@code abiscope help}). A misspelt pattern lets them through.
     */
    @Test
    void eventAdminCarriesPostedEventsButNotFrameworkOnes(@InjectService EventAdmin events) throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(EventConstants.EVENT_TOPIC, new String[] {"org/osgi/*", "abiscope/it/*"});
        ServiceRegistration<EventHandler> handler = context.registerService(EventHandler.class,
                e -> seen.add(e.getTopic()), props);
        try {
            ServiceRegistration<Runnable> other = context.registerService(Runnable.class, () -> { }, null);
            other.unregister();
            events.postEvent(new Event("abiscope/it/LAST", Map.of()));
            await("the posted event", () -> seen.contains("abiscope/it/LAST") ? Boolean.TRUE : null);
            // ServiceEvents are posted on the registering thread (this one), and posts from one thread
            // arrive in order: had REGISTERED/UNREGISTERING gone through, they would be in by now
            assertEquals(List.of("abiscope/it/LAST"), seen);
        } finally {
            handler.unregister();
        }
    }

    @Test
    void droppedJarIsStartedAndRemovedJarUninstalled() throws Exception {
        String bsn = "abiscope.it.dropped";
        Path jar = drop(bsn + ".jar", bundleJar(bsn));
        Bundle b = await(bsn + " ACTIVE", () -> bundle(bsn).filter(x -> x.getState() == Bundle.ACTIVE).orElse(null));
        assertEquals("1.2.3", b.getVersion().toString());

        Files.delete(jar);
        await(bsn + " uninstalled", () -> bundle(bsn).isEmpty() ? Boolean.TRUE : null);
        assertEquals(Bundle.UNINSTALLED, b.getState());
    }

    @Test
    void droppedCfgConfiguresComponentAndRemovalTakesItAway() throws Exception {
        assertTrue(probe().isEmpty(), "probe component exists without configuration");
        Path cfg = drop(Probe.PID + ".cfg", "greeting = hello\nlimit = 42\n".getBytes(StandardCharsets.ISO_8859_1));
        Probe p = await("probe configured", () -> probe().orElse(null));
        assertEquals("hello", p.config().get("greeting"));
        assertEquals("42", String.valueOf(p.config().get("limit")));

        Files.delete(cfg);
        await("probe gone", () -> probe().isEmpty() ? Boolean.TRUE : null);
    }

    @Test
    void corruptJarIsLoggedByNameAndRuntimeCarriesOn() throws Exception {
        drop("corrupt-plugin.jar", "this is not a zip file".getBytes(StandardCharsets.US_ASCII));
        LogEntry e = await("error naming corrupt-plugin.jar", () -> errorNaming("corrupt-plugin.jar"));
        assertTrue(LogLevel.WARN.implies(e.getLogLevel()), "not an error: " + e.getLogLevel());
        everyBundleResolvesAndIsActive();

        String bsn = "abiscope.it.afterbad";
        drop(bsn + ".jar", bundleJar(bsn));
        await(bsn + " ACTIVE after a corrupt jar",
                () -> bundle(bsn).filter(x -> x.getState() == Bundle.ACTIVE).orElse(null));
    }

    @Test
    void malformedCfgIsLoggedByNameAndRuntimeCarriesOn() throws Exception {
        // "\\uZZ" is an invalid unicode escape: the properties parser rejects the whole file
        drop("abiscope.it.malformed.cfg", "broken = \\uZZ\n".getBytes(StandardCharsets.ISO_8859_1));
        await("error naming abiscope.it.malformed.cfg", () -> errorNaming("abiscope.it.malformed.cfg"));
        everyBundleResolvesAndIsActive();

        drop(Probe.PID + ".cfg", "greeting = still-works\n".getBytes(StandardCharsets.ISO_8859_1));
        Probe p = await("probe configured after a bad .cfg", () -> probe().orElse(null));
        assertEquals("still-works", p.config().get("greeting"));
    }

    // ---------------------------------------------------------------- helpers

    private LogEntry errorNaming(String fileName) {
        return log.stream()
                .filter(e -> LogLevel.WARN.implies(e.getLogLevel()))
                .filter(e -> text(e).contains(fileName))
                .findFirst().orElse(null);
    }

    private static String text(LogEntry e) {
        return e.getMessage() + (e.getException() == null ? "" : " " + e.getException());
    }

    private Optional<Probe> probe() {
        ServiceReference<Probe> ref = context.getServiceReference(Probe.class);
        if (ref == null) {
            return Optional.empty();
        }
        Probe p = context.getService(ref);
        try {
            return Optional.ofNullable(p);
        } finally {
            context.ungetService(ref);
        }
    }

    private Optional<Bundle> bundle(String bsn) {
        return Arrays.stream(context.getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).findFirst();
    }

    /** Writes next to the folder, then moves in atomically, so FileInstall never sees half a file. */
    private Path drop(String name, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(folder.getParent(), "drop", ".tmp");
        Files.write(tmp, content);
        Path target = folder.resolve(name);
        dropped.add(target);
        return Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A minimal plugin bundle, built here: a manifest is all a bundle needs. */
    static byte[] bundleJar(String bsn) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", "1.2.3");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new JarOutputStream(bytes, m)) {
            // manifest only
        }
        return bytes.toByteArray();
    }

    static <T> T await(String what, Supplier<T> condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            T value = condition.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(50);
        }
        T value = condition.get();
        if (value == null) {
            fail("timed out after " + WAIT.toSeconds() + " s waiting for " + what);
        }
        return value;
    }
}
