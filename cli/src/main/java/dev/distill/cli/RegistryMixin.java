package dev.distill.cli;

import dev.distill.oci.Image;
import dev.distill.oci.ImageReference;
import dev.distill.oci.ImageSources;
import dev.distill.oci.SourceOptions;
import dev.distill.oci.registry.CredentialStore;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.registry.RegistryOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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
    Image open(ImageReference ref) throws IOException {
        return ImageSources.open("registry:" + ref, SourceOptions.defaults()
                .withRegistry(options()));
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    private RegistryOptions options() {
        return RegistryOptions.defaults().withInsecureHosts(Set.copyOf(insecure))
                .withTimeout(Duration.ofSeconds(Math.max(1, timeoutSeconds)))
                .withCredentials(credentials(mixee));
    }

    /**
     * Registry credentials from the environment {@link Main#run} was given (the process's, from the shell), not
     * from {@link System#getenv} behind its back.
     */
    static CredentialStore credentials(CommandSpec command) {
        return command.root().userObject() instanceof Main main ? CredentialStore.fromEnvironment(main.env())
                : CredentialStore.fromEnvironment();
    }
}
