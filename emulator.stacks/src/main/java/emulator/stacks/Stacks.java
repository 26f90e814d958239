package emulator.stacks;

import emulator.api.stack.StackManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Applies and removes analysis stacks. A stack's state lives in ConfigAdmin only (each configuration
 * carries the stack's name), so {@code stack:list} is always what is really configured. Applying is
 * all or nothing: every setting is checked before the first configuration is written, and a plugin
 * that fails to come up rolls the whole stack back.
 */
@Component(service = {StackManager.class, Stacks.class}, immediate = true)
public final class Stacks implements StackManager {
    static final String STACK = "abiscope.stack";
    static final String SOURCE = "abiscope.stack.source";
    /** Bounded wait for plugins to come up or go down. */
    static final long TIMEOUT_MS = Long.getLong("abiscope.stack.timeoutMs", 15_000);
    private static final AtomicLong REVISIONS = new AtomicLong(System.currentTimeMillis() * 1000);

    @Reference private ConfigurationAdmin configAdmin;
    @Reference private MetaTypeService metatype;
    @Reference private ServiceComponentRuntime scr;
    private PluginCatalog catalog;
    private ComponentWatch watch;
    private ConfigurationBarrier barrier;

    @Activate
    void activate(BundleContext context) {
        watch = new ComponentWatch(context, scr, TIMEOUT_MS);
        watch.open();
        barrier = new ConfigurationBarrier(configAdmin);
        barrier.open(context);
        catalog = new PluginCatalog(context, metatype);
    }

    @Deactivate
    void deactivate() {
        barrier.close();
        watch.close();
    }

    // ---- StackManager

    @Override
    public String apply(Path stackFile) throws IOException {
        if (!Files.isRegularFile(stackFile)) throw new StackException(stackFile + ": no such stack file");
        return apply(StackFile.read(stackFile));
    }

    @Override
    public String applyPlugins(String name, List<String> plugins, Map<String, Object> settings) throws IOException {
        Map<String, StackFile.Setting> common = new LinkedHashMap<>();
        settings.forEach((k, v) -> common.put(k, new StackFile.Setting(k, text(v), 0)));
        Map<String, Map<String, StackFile.Setting>> sections = new LinkedHashMap<>();
        for (String p : plugins) sections.put(p.startsWith("plugin.") ? p : "plugin." + p, Map.of());
        if (sections.isEmpty()) throw new StackException(name + ": no plugin given");
        return apply(new StackFile(name, name, common, sections));
    }

    private static String text(Object v) {
        if (v instanceof Object[] a) return String.join(",", java.util.Arrays.stream(a).map(String::valueOf).toList());
        if (v instanceof long[] a) return String.join(",", java.util.Arrays.stream(a).mapToObj(String::valueOf).toList());
        if (v instanceof int[] a) return String.join(",", java.util.Arrays.stream(a).mapToObj(String::valueOf).toList());
        return String.valueOf(v);
    }

    synchronized String apply(StackFile stack) throws IOException {
        Map<String, List<ComponentDescriptionDTO>> components = watch.componentsOf(stack.plugins().keySet());
        Map<String, Map<String, Object>> typed = check(stack, components);
        long revision = REVISIONS.incrementAndGet();
        Set<String> gone = pidsOf(stack.name());
        gone.removeAll(typed.keySet());
        if (!gone.isEmpty()) deleteAndAwait(gone, stack.name());
        for (Map.Entry<String, Map<String, Object>> e : typed.entrySet()) {
            Hashtable<String, Object> props = new Hashtable<>(e.getValue());
            props.put(STACK, stack.name());
            props.put(SOURCE, stack.source());
            props.put(ComponentWatch.REVISION, revision);
            configAdmin.getConfiguration(e.getKey(), "?").update(props);
        }
        for (String pid : typed.keySet()) {
            String problem = await(() -> watch.awaitUp(components.get(pid), revision));
            if (problem != null) {
                removeQuietly(stack.name());
                throw new StackException(stack.source() + ": [" + pid + "] " + problem + "; stack " + stack.name() + " removed");
            }
        }
        return stack.name();
    }

    /** Validates the whole stack; returns PID → typed settings. */
    private Map<String, Map<String, Object>> check(StackFile stack, Map<String, List<ComponentDescriptionDTO>> components)
            throws IOException {
        Map<String, Map<String, Object>> typed = new LinkedHashMap<>();
        Set<String> commonUsed = new HashSet<>();
        for (Map.Entry<String, Map<String, StackFile.Setting>> e : stack.plugins().entrySet()) {
            String pid = e.getKey();
            ObjectClassDefinition ocd = catalog.settingsOf(pid, components.get(pid)).orElseThrow(() -> new StackException(stack.source()
                    + ": unknown plugin '" + pid + "' (no installed bundle declares settings for it; installed plugins: "
                    + String.join(", ", catalog.pluginPids()) + ")"));
            typed.put(pid, TypedSettings.of(stack.source(), pid, ocd, e.getValue(), stack.common()));
            for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) commonUsed.add(ad.getID());
            Configuration existing = existing(pid);
            if (existing != null && !stack.name().equals(existing.getProperties().get(STACK))) {
                Object owner = existing.getProperties().get(STACK);
                throw new StackException(stack.source() + ": " + pid + " is already configured by "
                        + (owner != null ? "stack " + owner : "its own configuration (a .cfg file or the shell)")
                        + "; remove that first");
            }
        }
        for (StackFile.Setting s : stack.common().values())
            if (!commonUsed.contains(s.key()))
                throw new StackException(stack.source() + ":" + s.line() + ": no plugin of the stack has a setting '" + s.key() + "'");
        return typed;
    }

    @Override
    public synchronized void remove(String name) throws IOException {
        Set<String> pids = pidsOf(name);
        if (pids.isEmpty()) {
            throw new StackException("no stack named '" + name + "' is applied (applied: "
                    + String.join(", ", stackNames()) + ")");
        }
        String problem = deleteAndAwait(pids, name);
        if (problem != null) throw new StackException("stack " + name + ": " + problem);
    }

    /**
     * Deletes the configurations of {@code pids} (all first: their plugins go down together), then
     * waits until their deactivations have returned.
     */
    private String deleteAndAwait(Set<String> pids, String stack) throws IOException {
        if (pids.isEmpty()) return null;
        List<ComponentDescriptionDTO> declaring = new ArrayList<>();
        watch.componentsOf(pids).values().forEach(declaring::addAll);
        for (String pid : pids) {
            Configuration c = existing(pid);
            if (c != null) c.delete();
        }
        return await(() -> {
            String late = barrier.pass(TIMEOUT_MS);
            return late != null ? late : watch.awaitGone(declaring, dto -> dto.properties != null && stack.equals(dto.properties.get(STACK)));
        });
    }

    private void removeQuietly(String name) {
        try {
            deleteAndAwait(pidsOf(name), name);
        } catch (IOException | RuntimeException ignored) {
            // the error being reported is the one that matters
        }
    }

    @Override
    public List<String> list() {
        Map<String, List<String>> byStack = new TreeMap<>();
        Map<String, String> sources = new TreeMap<>();
        for (Configuration c : configurations("(" + STACK + "=*)")) {
            String name = String.valueOf(c.getProperties().get(STACK));
            byStack.computeIfAbsent(name, k -> new ArrayList<>()).add(c.getPid());
            sources.put(name, String.valueOf(c.getProperties().get(SOURCE)));
        }
        List<String> out = new ArrayList<>();
        byStack.forEach((name, pids) -> out.add(name + ": " + String.join(", ", pids.stream().sorted().toList())
                + "  (" + sources.get(name) + ")"));
        return out;
    }

    /** Every installed plugin with its settings, from the plugins' metatype ({@code stack:plugins}). */
    public String describePlugins() {
        StringBuilder sb = new StringBuilder();
        catalog.all().forEach((pid, ocd) -> {
            if (!pid.startsWith("plugin.")) return;
            sb.append('[').append(pid).append("]  ").append(ocd.getDescription() == null ? "" : ocd.getDescription()).append('\n');
            for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
                String[] d = ad.getDefaultValue();
                sb.append(String.format("  %-10s %-8s %s (default: %s)%n", ad.getID(),
                        TypedSettings.typeName(ad.getType()).split(" ")[0] + (ad.getCardinality() != 0 ? "s" : ""),
                        ad.getDescription(), d == null || d.length == 0 ? "none" : String.join(",", d)));
            }
        });
        return sb.isEmpty() ? "no plugins with settings installed" : sb.toString();
    }

    // ---- helpers

    private Configuration existing(String pid) throws IOException {
        List<Configuration> l = configurations("(" + org.osgi.framework.Constants.SERVICE_PID + "=" + pid + ")");
        return l.isEmpty() ? null : l.getFirst();
    }

    private Set<String> pidsOf(String name) {
        Set<String> s = new java.util.TreeSet<>();
        for (Configuration c : configurations("(" + STACK + "=" + name + ")")) s.add(c.getPid());
        return s;
    }

    private List<String> stackNames() {
        Set<String> s = new java.util.TreeSet<>();
        for (Configuration c : configurations("(" + STACK + "=*)")) s.add(String.valueOf(c.getProperties().get(STACK)));
        return new ArrayList<>(s);
    }

    private List<Configuration> configurations(String filter) {
        try {
            Configuration[] cs = configAdmin.listConfigurations(filter);
            return cs == null ? List.of() : List.of(cs);
        } catch (IOException | InvalidSyntaxException e) {
            throw new StackException("configuration admin: " + e.getMessage());
        }
    }

    private interface Wait { String run() throws IOException, InterruptedException; }

    private static String await(Wait w) throws IOException {
        try {
            return w.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while waiting";
        }
    }
}
