package emulator.launcher;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Hashtable;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.log.LogService;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Reports bad files in the hot-deploy folder by name.
 * <p>
 * FileInstall 3.7.4 silently ignores a {@code .jar} that is not a valid bundle (no listener claims
 * it) and accepts a {@code .cfg} that {@link Properties} rejects, so neither reaches the log. This
 * installer, ranked above FileInstall's own ({@code service.ranking} 1000; FileInstall asks its
 * listeners from the highest ranking down), claims exactly those bad files and logs one ERROR
 * naming the file; good files fall through to FileInstall. When a bad file is fixed, FileInstall
 * asks again and hands it to its own installer.
 */
@SuppressWarnings("deprecation") // LogService.log(int, ...): the form FileInstall itself uses
final class HotDeployGuard implements ArtifactInstaller {

    private final ServiceTracker<LogService, LogService> log;

    private HotDeployGuard(BundleContext context) {
        log = new ServiceTracker<>(context, LogService.class, null);
        log.open();
    }

    static AutoCloseable register(BundleContext context) {
        HotDeployGuard guard = new HotDeployGuard(context);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_RANKING, 1000);
        ServiceRegistration<?> reg = context.registerService(
                new String[] {ArtifactInstaller.class.getName(), org.apache.felix.fileinstall.ArtifactListener.class.getName()},
                guard, props);
        return () -> {
            try {
                reg.unregister();
            } catch (IllegalStateException ignored) {
                // framework stopping
            }
            guard.log.close();
        };
    }

    @Override
    public boolean canHandle(File artifact) {
        return problem(artifact) != null;
    }

    @Override
    public void install(File artifact) {
        report(artifact);
    }

    @Override
    public void update(File artifact) {
        report(artifact);
    }

    @Override
    public void uninstall(File artifact) {
        // nothing was installed
    }

    private void report(File artifact) {
        String problem = problem(artifact);
        if (problem == null) {
            return;
        }
        String message = "hot-deploy: ignoring " + artifact.getAbsolutePath() + ": " + problem;
        LogService service = log.getService();
        if (service != null) {
            service.log(LogService.LOG_ERROR, message);
        } else {
            System.err.println("abiscope: ERROR " + message);
        }
    }

    /** Why the file is bad, or null if it is fine (or not a .jar/.cfg). */
    static String problem(File f) {
        String name = f.getName();
        if (!f.isFile()) {
            return null;
        }
        if (name.endsWith(".jar")) {
            try (JarFile jar = new JarFile(f)) {
                Manifest m = jar.getManifest();
                if (m == null || m.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME) == null) {
                    return "not an OSGi bundle (no Bundle-SymbolicName in META-INF/MANIFEST.MF)";
                }
                return null;
            } catch (IOException | RuntimeException e) {
                return "corrupt jar (" + e.getMessage() + ")";
            }
        }
        if (name.endsWith(".cfg")) {
            try (InputStream in = Files.newInputStream(f.toPath())) {
                new Properties().load(in);
            } catch (IOException | IllegalArgumentException e) {
                return "malformed configuration file (" + e.getMessage() + ")";
            }
            try {
                int n = 0;
                for (String line : Files.readAllLines(f.toPath(), java.nio.charset.StandardCharsets.ISO_8859_1)) {
                    n++;
                    String t = line.strip();
                    if (!t.isEmpty() && !t.startsWith("#") && !t.startsWith("!") && t.indexOf('=') < 0 && t.indexOf(':') < 0
                            && !line.endsWith("\\")) {
                        return "malformed configuration file (line " + n + " has no '=': " + t + ")";
                    }
                }
            } catch (IOException e) {
                return "unreadable configuration file (" + e.getMessage() + ")";
            }
        }
        return null;
    }
}
