package emulator.api.raw;

import org.osgi.annotation.versioning.ProviderType;

/** Service: runs raw code for one architecture (service property {@code arch}). */
@ProviderType
public interface RawEmulator {
    /** Architecture name: {@code x86_64}, {@code i386}, … */
    String arch();

    /** Runs the request to its end; never throws for guest-level problems (they are in the result). */
    RawResult run(RawRequest request);
}
