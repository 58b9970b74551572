package dev.distill.cli;

import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.registry.RegistryOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** The registry options of the commands that talk to a registry directly (sign, verify, attest...). */
final class RegistryMixin {
    @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
            description = "Speak plain http to this registry (loopback registries always may).")
    List<String> insecure = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Longest wait to connect to a registry or for its answer (default: 60).")
    int timeoutSeconds;

    RegistryClient client() {
        return new RegistryClient(options());
    }

    /** The image at the (pinned) reference, read from the registry with these options. */
    dev.distill.oci.Image open(dev.distill.oci.ImageReference ref) throws java.io.IOException {
        return dev.distill.oci.ImageSources.open("registry:" + ref, dev.distill.oci.SourceOptions.defaults()
                .withRegistry(options()));
    }

    private RegistryOptions options() {
        return RegistryOptions.defaults().withInsecureHosts(Set.copyOf(insecure))
                .withTimeout(Duration.ofSeconds(Math.max(1, timeoutSeconds)));
    }
}
