package run.it;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * A component that exists only while the configuration {@value #PID} does: what a {@code .cfg} file
 * in the hot-deploy folder must bring up. Immediate (TOOLCHAIN trap 10): nobody consumes it.
 */
@Component(service = Probe.class, configurationPid = Probe.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true)
public class Probe {

    /** Configuration PID, i.e. the file name {@code abiscope.it.probe.cfg}. */
    public static final String PID = "abiscope.it.probe";

    private volatile Map<String, Object> config;

    @Activate
    void activate(Map<String, Object> config) {
        this.config = config;
    }

    /** The configuration the component was activated with. */
    public Map<String, Object> config() {
        return config;
    }
}
