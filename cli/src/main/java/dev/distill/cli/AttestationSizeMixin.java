package dev.distill.cli;

import dev.distill.attest.AttestLimits;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --max-attestation-bytes}: the largest predicate attest signs and verification reads, for this run. */
final class AttestationSizeMixin {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    @Option(names = "--max-attestation-bytes", paramLabel = "SIZE", converter = ImageOptions.SizeConverter.class,
            defaultValue = "256M", description = "The largest predicate (SBOM, provenance) an attestation may carry "
                    + "(default: 256M); envelopes and bundles are read up to its base64 size.")
    void maxAttestationBytes(long bytes) {
        try {
            AttestLimits.maxAttestationBytes(bytes);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(mixee.commandLine(), e.getMessage());
        }
    }
}
