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

import org.junit.jupiter.api.BeforeAll;
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

    Result run(Map<String, String> env, String... args) throws Exception { return run(tmp, 120, env, args); }

    /** {@code ./abiscope ARGS} in {@code dir}, stdin empty, with this build's jar unless {@code env} says otherwise. */
    static Result run(Path dir, long timeoutSeconds, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(SCRIPT.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("ABISCOPE_JAR", JAR.toString());   // never rebuild from inside Maven
        pb.environment().put("ABISCOPE_BUNDLES", dir.resolve("bundles").toString());
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), "abiscope did not end: " + cmd);
        return new Result(p.exitValue(), out.get(), err.get());
    }

    /**
     * Makes the startup cache beside the jar, if this build has none yet, before the tests that expect a
     * quiet stderr: the first command of a build says on stderr that it makes one.
     */
    @BeforeAll
    static void startupCacheReady(@TempDir Path dir) throws Exception {
        Result r = run(dir, 300, Map.of(), "version");
        assertEquals(0, r.exit(), r.out() + r.err());
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

    static final Path TRAIN_ELF = ROOT.resolve("run/aot/train.elf");
    static final String TRAIN_OUTPUT = "abiscope startup cache training\n";

    /**
     * The startup cache is made by a jar's first command (said on stderr), then used quietly: most
     * classes come from it, and the guest's stdout holds the guest's output only. A corrupt cache is
     * reported on stderr by the JVM and the command still runs.
     */
    @Test
    void startupCacheIsMadeOnceThenUsedAndACorruptOneIsSurvived() throws Exception {
        Path jar = Files.copy(JAR, Files.createDirectories(tmp.resolve("own jar")).resolve("abiscope.jar"));
        Path cache = jar.resolveSibling("abiscope.aot");
        Map<String, String> env = Map.of("ABISCOPE_JAR", jar.toString());

        Result first = run(env, "run", "--", TRAIN_ELF.toString());
        assertEquals(0, first.exit(), first.err());
        assertEquals(TRAIN_OUTPUT, first.out());
        assertTrue(first.err().contains("making the startup cache " + cache), first.err());
        assertTrue(Files.size(cache) > 1_000_000, "cache " + cache + " not made:\n" + first.err());

        Path classLog = tmp.resolve("classes.log");
        Result second = run(Map.of("ABISCOPE_JAR", jar.toString(),
                "ABISCOPE_JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog), "run", "--", TRAIN_ELF.toString());
        assertEquals(0, second.exit(), second.err());
        assertEquals(TRAIN_OUTPUT, second.out());
        assertEquals("", second.err(), "stderr not quiet with the cache");
        List<String> loaded = Files.readAllLines(classLog);
        long fromCache = loaded.stream().filter(l -> l.contains("source: shared objects file")).count();
        assertTrue(fromCache > loaded.size() / 2, fromCache + " of " + loaded.size() + " classes from the cache");

        byte[] garbage = new byte[1 << 16];
        new java.util.Random(7).nextBytes(garbage);
        Files.write(cache, garbage);
        Result corrupt = run(env, "run", "--", TRAIN_ELF.toString());
        assertEquals(0, corrupt.exit(), corrupt.err());
        assertEquals(TRAIN_OUTPUT, corrupt.out());
        assertTrue(corrupt.err().contains("AOT cache"), "a corrupt cache went unreported: " + corrupt.err());
    }

    @Test
    void startupCacheOffMakesNone() throws Exception {
        Path jar = Files.copy(JAR, Files.createDirectories(tmp.resolve("jar")).resolve("abiscope.jar"));
        Result r = run(Map.of("ABISCOPE_JAR", jar.toString(), "ABISCOPE_AOT", "off"), "run", "--", TRAIN_ELF.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(TRAIN_OUTPUT, r.out());
        assertEquals("", r.err());
        assertFalse(Files.exists(jar.resolveSibling("abiscope.aot")));
    }

    /**
     * C2 compiles only the guest's code and the engine's runtime: in a run of the training program
     * HotSpot's own log of its compilations ({@code -XX:+PrintCompilation}) has no method of the JDK,
     * Felix or the bundles at level 4 — which it has, by the hundred, once the list is emptied.
     */
    @Test
    void onlyTheEngineReachesC2() throws Exception {
        String log = "-XX:+UnlockDiagnosticVMOptions -XX:+DisplayVMOutput -XX:+PrintCompilation";
        Result listed = run(Map.of("ABISCOPE_JAVA_OPTS", log), "run", "--", TRAIN_ELF.toString());
        assertEquals(0, listed.exit(), listed.err());
        List<String> offList = levelFour(listed.out()).stream()
                .filter(l -> !l.contains(" emulator.core.") && !l.contains(" emulator.x86.")).toList();
        assertTrue(offList.isEmpty(), "C2 compiled methods off the list:\n" + String.join("\n", offList));

        Result unlisted = run(Map.of("ABISCOPE_JAVA_OPTS", log + " -Dabiscope.c2Only="), "run", "--", TRAIN_ELF.toString());
        assertEquals(0, unlisted.exit(), unlisted.err());
        assertTrue(levelFour(unlisted.out()).stream().anyMatch(l -> l.contains(" java.")),
                "without the list C2 compiled no JDK method, so the check above shows nothing:\n" + unlisted.out());
    }

    /** PrintCompilation's lines of level-4 (C2) compilations. */
    private static List<String> levelFour(String printed) {
        return printed.lines().filter(l -> l.matches("\\s*\\d+\\s+\\d+\\s+[%sbn! ]*4\\s+\\S+.*")).toList();
    }

    /** The committed training program is its source assembled (nasm is a CI package). */
    @Test
    void trainingProgramIsItsSource() throws Exception {
        Path out = tmp.resolve("train.elf");
        Process nasm = new ProcessBuilder("nasm", "-f", "bin", "-o", out.toString(), ROOT.resolve("run/aot/train.asm").toString())
                .redirectErrorStream(true).start();
        String log = new String(nasm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, nasm.waitFor(), log);
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(out), Files.readAllBytes(TRAIN_ELF)),
                "run/aot/train.elf differs from run/aot/train.asm assembled: reassemble it");
        // and it is a program the host runs as our guest does
        Process nat = new ProcessBuilder(TRAIN_ELF.toString()).start();
        assertEquals(TRAIN_OUTPUT, new String(nat.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0, nat.waitFor());
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
