package dev.distill.cli;

import dev.distill.attest.image.ReferrerBundles;
import dev.distill.attest.store.SignatureStore;
import dev.distill.oci.registry.RegistryClient;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Where sign and attest store what they make: cosign's tags (default) or OCI 1.1 referrers. */
final class StorageMixin {
    @Option(names = "--registry-referrers-mode", paramLabel = "MODE", defaultValue = "legacy",
            description = "legacy (default): cosign's sha256-<hex>.sig/.att tags, readable by every cosign and "
                    + "registry; oci-1-1: a Sigstore bundle as an OCI 1.1 referrer of the image (cosign "
                    + "--new-bundle-format), through the sha256-<hex> tag where the registry has no referrers API.")
    String mode;

    /** The store the option chooses, on the client's registry. */
    SignatureStore store(RegistryClient client, CommandLine cl) {
        return new SignatureStore(client, mode(cl));
    }

    ReferrerBundles.Mode mode(CommandLine cl) {
        try {
            return ReferrerBundles.Mode.parse(mode);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }
}
