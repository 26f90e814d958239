package emulator.instrumentation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The packages named for the JIT are the bundle's own classes' (never what it imports or what other
 * bundles hold), each tree once: a package below another listed one is covered by its pattern.
 */
class PluginJitPlacementTest {
    @Test
    void namesTheBundlesOwnPackagesOnce() {
        List<String> resources = List.of("plugin/x/A.class", "plugin/x/sub/B.class", "plugin/x/sub/deeper/C.class",
                "plugin/xy/D.class", "plugin/y/E.class", "Top.class", "META-INF/versions/21/plugin/x/F.class");
        int[] flagsAsked = {-1};
        BundleWiring wiring = (BundleWiring) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleWiring.class},
                (p, m, a) -> {
                    if (!m.getName().equals("listResources")) throw new UnsupportedOperationException(m.getName());
                    flagsAsked[0] = (int) a[2];
                    return resources;
                });
        Bundle bundle = (Bundle) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Bundle.class},
                (p, m, a) -> m.getName().equals("adapt") && a[0] == BundleWiring.class ? wiring : null);

        assertEquals(List.of("plugin.x", "plugin.xy", "plugin.y"), PluginJitPlacement.ownPackages(bundle));
        assertEquals(BundleWiring.LISTRESOURCES_LOCAL | BundleWiring.LISTRESOURCES_RECURSE, flagsAsked[0],
                "only the bundle's own resources, all of them");
    }
}
