package run.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the {@code ./abiscope} script and {@code run/target/abiscope.jar} (surefire,
 * phase integration-test, after the jar is exported): what a user sees on the command line.
 */
class LauncherE2E {

    static final Path ROOT = Paths.get(System.getProperty("user.dir")).getParent();
    static final Path SCRIPT = ROOT.resolve("abiscope");
    static final Path JAR = Paths.get(System.getProperty("user.dir"), "target", "abiscope.jar");

    @TempDir
    Path tmp;

    record Result(int exit, String out, String err) {
    }

    Result run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(SCRIPT.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().put("ABISCOPE_JAR", JAR.toString());   // never rebuild from inside Maven
        pb.environment().put("ABISCOPE_BUNDLES", tmp.resolve("bundles").toString());
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "abiscope did not end: " + cmd);
        return new Result(p.exitValue(), out.get(), err.get());
    }

    static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<" + e + ">";
            }
        });
    }

    @Test
    void helpListsTheCommands() throws Exception {
        for (String help : List.of("--help", "help")) {
            Result r = run(Map.of(), help);
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("usage: abiscope"), r.out());
            for (String c : List.of("shell", "help", "version")) {
                assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith(c + " ")), "missing " + c + ":\n" + r.out());
            }
            assertEquals("", r.err(), "stderr not quiet");
        }
    }

    @Test
    void helpForOneCommand() throws Exception {
        Result r = run(Map.of(), "help", "version");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("abiscope version"), r.out());
    }

    @Test
    void versionListsTheBundles() throws Exception {
        Result r = run(Map.of(), "version");
        assertEquals(0, r.exit(), r.err());
        for (String bsn : List.of("emulator.api", "emulator.launcher", "org.apache.felix.framework", "org.apache.felix.scr",
                "org.apache.felix.fileinstall")) {
            assertTrue(r.out().contains(bsn), "missing " + bsn + ":\n" + r.out());
        }
        assertEquals("", r.err(), "stderr not quiet (Unsafe warning?)");
    }

    @Test
    void unknownCommandIsUsageErrorTwo() throws Exception {
        Result r = run(Map.of(), "no-such-command");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown command 'no-such-command'"), r.err());
        assertTrue(r.err().contains("usage: abiscope"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void unknownOptionIsUsageErrorTwo() throws Exception {
        Result r = run(Map.of(), "--no-such-option");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown option '--no-such-option'"), r.err());
        assertTrue(r.err().contains("usage: abiscope"), r.err());
    }

    @Test
    void commandExitCodePropagatesToTheProcess() throws Exception {
        Path bundles = Files.createDirectories(tmp.resolve("plugins dir"));
        Files.write(bundles.resolve("e2e.exit.jar"), commandBundle());
        for (int code : new int[] {0, 7, 42}) {
            Result r = run(Map.of("ABISCOPE_BUNDLES", bundles.toString()), "e2e-exit", String.valueOf(code));
            assertEquals(code, r.exit(), r.out() + r.err());
            assertTrue(r.out().contains("e2e-exit ran with [" + code + "]"), r.out());
        }
        // the hot-deployed command is listed by help too
        Result help = run(Map.of(), "--bundles", bundles.toString(), "--help");
        assertTrue(help.out().contains("e2e-exit"), help.out());
    }

    @Test
    void noJdk25IsOneLineAndExitTwo() throws Exception {
        Path fakeJdk = Files.createDirectories(tmp.resolve("jdk17/bin"));
        Files.writeString(fakeJdk.getParent().resolve("release"), "JAVA_VERSION=\"17.0.9\"\n");
        for (String tool : List.of("java", "javac")) {
            Path t = fakeJdk.resolve(tool);
            Files.writeString(t, "#!/bin/sh\necho 'openjdk version \"17.0.9\"' >&2\n");
            t.toFile().setExecutable(true);
        }
        Path emptyRoot = Files.createDirectories(tmp.resolve("no-jdks"));
        Result r = run(Map.of("JAVA_HOME", fakeJdk.getParent().toString(), "PATH", fakeJdk + ":/usr/bin:/bin",
                "ABISCOPE_JDK_SEARCH_PATH", emptyRoot.toString()), "--help");
        assertEquals(2, r.exit());
        assertEquals("abiscope: needs a JDK 25 or newer; none found (set JAVA_HOME)\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void headlessShellSurvivesClosedStdin() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString(), "shell").directory(tmp.toFile());
        pb.environment().put("ABISCOPE_JAR", JAR.toString());
        Path bundles = Files.createDirectories(tmp.resolve("b"));
        pb.environment().put("ABISCOPE_BUNDLES", bundles.toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectErrorStream(true);
        pb.redirectOutput(tmp.resolve("shell.log").toFile());
        Process p = pb.start();
        try {
            // Gogo used to stop the framework as soon as stdin closed (exit 117): it must still run
            assertFalse(p.waitFor(5, TimeUnit.SECONDS), "runtime stopped with stdin closed: exit "
                    + (p.isAlive() ? "" : p.exitValue()) + "\n" + Files.readString(tmp.resolve("shell.log")));
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
            p.descendants().forEach(ProcessHandle::destroyForcibly);
        }
        assertFalse(p.isAlive());
    }

    /** A bundle holding {@link ExitCodeCommand}, built from the compiled test class. */
    static byte[] commandBundle() throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "run.e2e.exit");
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Bundle-Activator", ExitCodeCommand.class.getName());
        a.putValue("Import-Package", "emulator.api.launch;version=\"[0.1,1)\",org.osgi.framework");
        String entry = ExitCodeCommand.class.getName().replace('.', '/') + ".class";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, m);
                InputStream cls = ExitCodeCommand.class.getClassLoader().getResourceAsStream(entry)) {
            jar.putNextEntry(new JarEntry(entry));
            cls.transferTo(jar);
            jar.closeEntry();
        }
        return bytes.toByteArray();
    }
}
