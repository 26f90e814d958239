package emulator.core.exec;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.ObjectName;

/**
 * Keeps the engine's translation code (front-end decoders and drivers, the IR passes, the bytecode
 * generator) out of HotSpot's optimizing compiler (C2); C1 still compiles it. ASM stays with C2: it
 * writes every class the JIT then compiles, and with ASM at C1 too the translation-heavy first runs
 * (md5sum, sha256sum) got slower than with no directive at all.
 *
 * <p>Why: a run is JIT-bound at first. On the bench's whole commands (sha256sum, 32 MiB) C2 spent
 * 1.25 s, of which 0.19 s on guest code; the rest went to the translator's own methods and the JDK
 * code they call, while the hot guest regions waited in C2's queue running as slower C1 code. With
 * the translator at C1 the one C2 thread of a small machine is free for guest code: first runs got
 * faster (see the README), and translation is fast enough at C1.
 *
 * <p>Done with a compiler directive added at run time through HotSpot's DiagnosticCommand MBean
 * ({@code Compiler.directives_add}, as {@code jcmd} would; each change replaces the set), so every way of
 * running the engine (the launcher, tests, the bench) gets it. On a JVM without that MBean nothing
 * happens. {@code -Dabiscope.translatorC2=true} leaves the JIT as it is.
 *
 * <p>The MBean call runs on a thread of its own: the first one in a JVM takes 150–190 ms (the platform
 * MBean server starts, and the DiagnosticCommand MBean describes every command, JFR's included),
 * and on the thread that makes the first machine it delayed the guest's first instruction by that
 * much. A translator method that reaches C2 in the meantime stays compiled; that is the JIT's
 * default, for a few methods.
 *
 * <p>Patterns name classes only where no method runs from guest code: a helper that generated code
 * calls must reach C2 (it is inlined into the guest code that calls it).
 *
 * <p>Plugins whose code runs beside the guest (a service property, {@code TranslationHook.BESIDE_GUEST})
 * get the same through {@link #keepPluginOutOfC2}: the instrumentation engine names their bundles'
 * packages. Their callbacks run at events (a system call), not at each instruction, so generated code
 * gains nothing from inlining them. {@code -Dabiscope.pluginC2=true} leaves them with C2.
 *
 * <p>{@code ./abiscope} goes further: it names the only code C2 may compile ({@code -Dabiscope.c2Only},
 * the guest's code and the engine's runtime), and every set this policy makes keeps that shape, the
 * excluded patterns first; a plugin whose callbacks run inside the guest's code joins the list
 * ({@link #letPluginReachC2}). The in-process harness and the tests give no such list: C2 then compiles
 * everything but the excluded, HotSpot's default.
 */
public final class JitPolicy {
    private static final Logger LOG = Logger.getLogger(JitPolicy.class.getName());
    static final boolean ENABLED = !Boolean.getBoolean("abiscope.translatorC2");
    /** {@code -Dabiscope.pluginC2=true}: plugins that run beside the guest keep C2 (the translator's directive stays). */
    static final boolean PLUGINS = !Boolean.getBoolean("abiscope.pluginC2");
    /**
     * The engine's own translation code, as directive patterns ({@code package/Class.method}). Every
     * other class of the execution and backend packages runs with the guest; JitPolicyCoverageTest
     * makes a new class take a side (a class split out of one listed here is not covered by its pattern).
     */
    static final List<String> CORE = List.of(
            "emulator/core/ir/*.*",
            "emulator/core/opt/*.*",
            "emulator/core/backend/BytecodeCompiler*.*",
            "emulator/core/backend/StoreJoins*.*",
            "emulator/core/backend/LocalAllocator.*",
            "emulator/core/backend/TempFacts.*",
            "emulator/core/backend/PageGuards*.*",
            "emulator/core/backend/SharedCode*.*",
            "emulator/core/exec/Regions.*",
            "emulator/core/exec/Translator*.*",
            "emulator/core/exec/SharedTranslations*.*");
    /**
     * More patterns to keep out of C2, given at the JVM's start ({@code -Dabiscope.jitExclude=P,P…},
     * read at each change). {@code ./abiscope} gives HotSpot the same patterns as a directive file on
     * its command line, so that they hold from the JVM's first instant, before this policy's first
     * change; they are repeated in every set this policy puts on the stack because a plugin's
     * {@code *.*} inline directive, on top, would otherwise hide the command line's below it.
     */
    static final String EXCLUDE_PROPERTY = "abiscope.jitExclude";
    /**
     * The only code C2 may compile ({@code -Dabiscope.c2Only=P,P…}, read at each change; none: all of
     * it, HotSpot's default): {@code ./abiscope} gives the guest's code and the engine's runtime
     * ({@code emulator/core}, the CPU targets) here and in its directive file, so that the JDK, the
     * OSGi runtime, the kernel and the plugins stay at C1. The excluded patterns still win over it.
     */
    static final String C2_ONLY_PROPERTY = "abiscope.c2Only";
    /** Patterns C2 must not compile, in the order they came (guarded by the class lock). */
    private static final Set<String> excluded = new LinkedHashSet<>();
    /** Plugins' patterns C2 may compile beside the {@link #C2_ONLY_PROPERTY} list (guarded by the class lock). */
    private static final Set<String> alsoC2 = new LinkedHashSet<>();
    /** Patterns C2 must not inline into anything it compiles either: plugins' (guarded by the class lock). */
    private static final Set<String> notInlined = new LinkedHashSet<>();
    /** The thread of the latest change (guarded by the class lock). */
    private static Thread last;
    /** Directives of ours on HotSpot's stack (only the policy threads touch it, one after another). */
    private static int pushed;

    private JitPolicy() {}

    /**
     * Keeps the classes of these packages (dotted names; the packages below them too) out of C2, as
     * the translator's, and keeps C2 from inlining them into the methods it compiles: a plugin's event
     * handler is called from EventAdmin's dispatch, which C2 compiles with the handler inlined (0.18 s
     * of C2 time in a traced sha256sum of 32 MiB, the file and process monitors inlined into Felix's
     * {@code EventHandlerProxy.sendEvent}) unless told not to. Returns the thread that adds them
     * (tests join it), or null when there was nothing new.
     */
    public static Thread keepPluginOutOfC2(Collection<String> packages) {
        if (!PLUGINS) return null;
        List<String> patterns = new ArrayList<>();
        for (String p : packages) patterns.add(p.replace('.', '/') + "/*.*");
        return change(patterns, true, false);
    }

    /**
     * Lets C2 compile the classes of these packages (dotted names; the packages below them too) where
     * only a list of code may reach it ({@link #C2_ONLY_PROPERTY}): a plugin whose callbacks run inside
     * the guest's code. Without such a list C2 compiles them anyway, and nothing changes. Returns the
     * thread that adds them (tests join it), or null when there was nothing new.
     */
    public static synchronized Thread letPluginReachC2(Collection<String> packages) {
        if (patterns(System.getProperty(C2_ONLY_PROPERTY, "")).isEmpty()) return null;
        boolean fresh = false;
        for (String p : packages) fresh |= alsoC2.add(p.replace('.', '/') + "/*.*");
        return fresh ? change(List.of(), false, true) : null;
    }

    /**
     * Adds {@code patterns} (with the core's) to the code C2 leaves alone, on a daemon thread; returns
     * that thread (tests join it), or null when there was nothing new.
     */
    static Thread keepOutOfC2(Collection<String> patterns) {
        return change(patterns, false, false);
    }

    /** Adds {@code patterns} to the excluded (and not inlined); pushes the set when that or {@code fresh} made it new. */
    private static synchronized Thread change(Collection<String> patterns, boolean alsoNotInlined, boolean fresh) {
        if (!ENABLED) return null;
        for (String p : CORE) fresh |= excluded.add(p);
        for (String p : patterns(System.getProperty(EXCLUDE_PROPERTY, ""))) fresh |= excluded.add(p);
        for (String p : patterns) {
            fresh |= excluded.add(p);
            if (alsoNotInlined) fresh |= notInlined.add(p);
        }
        if (!fresh) return null;
        List<String> c2Only = patterns(System.getProperty(C2_ONLY_PROPERTY, ""));
        if (!c2Only.isEmpty()) {
            LinkedHashSet<String> all = new LinkedHashSet<>(c2Only);
            all.addAll(alsoC2);
            c2Only = List.copyOf(all);
        }
        String json = directives(List.copyOf(excluded), List.copyOf(notInlined), c2Only);
        // one at a time, in order: a later change's thread waits for the earlier one's
        Thread before = last;
        last = Thread.ofPlatform().daemon().name("abiscope-jit-policy").start(() -> {
            if (before != null) {
                try {
                    before.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            replaceDirectives(json);
        });
        return last;
    }

    /**
     * The directives, most specific first (HotSpot takes the first whose pattern matches the method it
     * compiles): the excluded classes; then the code C2 may compile ({@code c2Only}, all of it when
     * empty), with the classes C2 must not inline into it; then, with {@code c2Only}, every other
     * method out of C2.
     */
    static String directives(List<String> excluded, List<String> notInlined, List<String> c2Only) {
        StringBuilder json = new StringBuilder("[ { match: ").append(quoted(excluded, "")).append(", c2: { Exclude: true } }");
        String inline = notInlined.isEmpty() ? null : "inline: " + quoted(notInlined, "-");
        if (!c2Only.isEmpty()) {
            json.append(", { match: ").append(quoted(c2Only, "")).append(", c2: { ").append(inline != null ? inline : "Exclude: false").append(" } }");
            json.append(", { match: \"*.*\", c2: { Exclude: true } }");
        } else if (inline != null) {
            json.append(", { match: \"*.*\", c2: { ").append(inline).append(" } }");
        }
        return json.append(" ]").toString();
    }

    /** A comma-separated list of patterns, blanks dropped. */
    static List<String> patterns(String list) {
        List<String> out = new ArrayList<>();
        for (String p : list.split(",")) if (!p.isBlank()) out.add(p.strip());
        return out;
    }

    private static String quoted(List<String> patterns, String prefix) {
        StringBuilder sb = new StringBuilder("[");
        for (int k = 0; k < patterns.size(); k++) sb.append(k == 0 ? "" : ", ").append('"').append(prefix).append(patterns.get(k)).append('"');
        return sb.append(']').toString();
    }

    /**
     * Takes ours off the top of HotSpot's directive stack and puts the new set there. Directives
     * given on the command line lie below ours and stay; one added by {@code jcmd} since ours would be
     * taken off in their place (the stack has no names).
     */
    private static void replaceDirectives(String json) {
        Path file = null;
        try {
            for (; pushed > 0; pushed--) diagnosticCommand("compilerDirectivesRemove");
            file = Files.createTempFile("abiscope-jit", ".json");
            file.toFile().deleteOnExit(); // this is a daemon thread: the JVM may end before the finally below
            Files.writeString(file, json);
            String reply = String.valueOf(diagnosticCommand("compilerDirectivesAdd", file.toString())).trim();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) compiler directives? added").matcher(reply);
            if (m.find()) pushed = Integer.parseInt(m.group(1));
            else if (!reply.isEmpty()) LOG.warning("JIT directive not taken: " + reply);
        } catch (Exception | LinkageError e) {
            // not HotSpot, or no management: the JIT keeps its defaults
            LOG.log(Level.FINE, "no compiler directives on this JVM", e);
        } finally {
            if (file != null) {
                try { Files.deleteIfExists(file); } catch (Exception ignored) { /* a temp file */ }
            }
        }
    }

    private static Object diagnosticCommand(String operation, String... args) throws Exception {
        return ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                operation, new Object[] {args}, new String[] {String[].class.getName()});
    }
}
