package emulator.stacks;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/** The installed plugins as the metatype service sees them: configuration PID → its settings. */
final class PluginCatalog {
    private final BundleContext context;
    private final MetaTypeService metatype;

    PluginCatalog(BundleContext context, MetaTypeService metatype) {
        this.context = context;
        this.metatype = metatype;
    }

    /**
     * The definition of the settings of {@code pid}, from whichever installed bundle declares it: the
     * bundles of {@code components} (those configured by it) first — the metatype service reads a
     * bundle's metatype resources the first time it is asked about it, and a run asks about three
     * plugins, not about every bundle installed — then every bundle.
     */
    Optional<ObjectClassDefinition> settingsOf(String pid, List<ComponentDescriptionDTO> components) {
        for (ComponentDescriptionDTO d : components) {
            Bundle b = context.getBundle(d.bundle.id);
            Optional<ObjectClassDefinition> ocd = b == null ? Optional.empty() : settingsOf(b, pid);
            if (ocd.isPresent()) return ocd;
        }
        for (Bundle b : context.getBundles()) {
            Optional<ObjectClassDefinition> ocd = settingsOf(b, pid);
            if (ocd.isPresent()) return ocd;
        }
        return Optional.empty();
    }

    private Optional<ObjectClassDefinition> settingsOf(Bundle b, String pid) {
        if (b.getState() == Bundle.UNINSTALLED) return Optional.empty();
        MetaTypeInformation info = metatype.getMetaTypeInformation(b);
        if (info == null) return Optional.empty();
        for (String p : info.getPids()) if (p.equals(pid)) return Optional.of(info.getObjectClassDefinition(pid, null));
        return Optional.empty();
    }

    /** Every PID with settings, sorted, each with its definition. */
    TreeMap<String, ObjectClassDefinition> all() {
        TreeMap<String, ObjectClassDefinition> m = new TreeMap<>();
        for (Bundle b : context.getBundles()) {
            if (b.getState() == Bundle.UNINSTALLED) continue;
            MetaTypeInformation info = metatype.getMetaTypeInformation(b);
            if (info == null) continue;
            for (String p : info.getPids()) m.put(p, info.getObjectClassDefinition(p, null));
        }
        return m;
    }

    /** The plugin PIDs (those starting with {@code plugin.}), for "unknown plugin" messages. */
    List<String> pluginPids() {
        List<String> l = new ArrayList<>();
        for (String p : all().keySet()) if (p.startsWith("plugin.")) l.add(p);
        return l;
    }
}
