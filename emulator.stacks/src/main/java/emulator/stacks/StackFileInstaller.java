package emulator.stacks;

import emulator.api.stack.StackManager;
import java.io.File;
import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * FileInstall's handler for {@code *.stack} files in the hot-deploy folder: a file dropped in applies
 * the stack, changing it re-applies it, deleting it removes the stack. A bad stack file is reported by
 * FileInstall with our message (file, plugin, key) and nothing of it is applied.
 */
@Component(service = ArtifactInstaller.class, immediate = true)
public final class StackFileInstaller implements ArtifactInstaller {
    @Reference private StackManager stacks;

    @Override public boolean canHandle(File artifact) { return artifact.getName().endsWith(StackFile.SUFFIX); }

    @Override public void install(File artifact) throws Exception { stacks.apply(artifact.toPath()); }

    @Override public void update(File artifact) throws Exception { stacks.apply(artifact.toPath()); }

    @Override
    public void uninstall(File artifact) throws Exception {
        String name = artifact.getName().substring(0, artifact.getName().length() - StackFile.SUFFIX.length());
        if (stacks.list().stream().anyMatch(l -> l.startsWith(name + ": "))) stacks.remove(name);
    }
}
