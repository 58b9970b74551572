package dev.distill.cli;

import dev.distill.attest.keyless.Identity;
import dev.distill.attest.keyless.KeylessException;
import dev.distill.attest.keyless.SigstoreInstance;
import dev.distill.attest.keys.EncryptedKeys;
import dev.distill.attest.verify.ImageVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Who must have signed, for keyless verification (verify-blob, verify): the certificate identity and OIDC
 * issuer, exact or as a regular expression matched against the whole value, optional GitHub workflow claims,
 * and the trusted root to verify against.
 */
final class IdentityMixin {
    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec mixee;

    @Option(names = "--certificate-identity", paramLabel = "ID",
            description = "Keyless: the signer's identity (email or URI in the certificate), exactly.")
    String identity;

    @Option(names = "--certificate-identity-regexp", paramLabel = "RE",
            description = "Keyless: a regular expression the whole identity must match.")
    String identityRegexp;

    @Option(names = "--certificate-oidc-issuer", paramLabel = "URL",
            description = "Keyless: the OIDC issuer recorded in the certificate, exactly.")
    String issuer;

    @Option(names = "--certificate-oidc-issuer-regexp", paramLabel = "RE",
            description = "Keyless: a regular expression the whole issuer must match.")
    String issuerRegexp;

    @Option(names = "--certificate-github-workflow-repository", paramLabel = "OWNER/REPO",
            description = "Keyless: the GitHub repository the signing workflow ran in.")
    String repository;

    @Option(names = "--certificate-github-workflow-ref", paramLabel = "REF",
            description = "Keyless: the git ref it ran for (refs/heads/main, refs/tags/v1).")
    String ref;

    @Option(names = "--certificate-github-workflow-sha", paramLabel = "SHA",
            description = "Keyless: the commit it ran for.")
    String sha;

    @Option(names = "--certificate-github-workflow-trigger", paramLabel = "EVENT",
            description = "Keyless: the event that triggered it (push, release, ...).")
    String trigger;

    @Option(names = "--trusted-root", paramLabel = "FILE",
            description = "Verify against this trusted_root.json, offline (keyless default: the public-good "
                    + "instance's, through TUF; verify-blob --key: check the bundle's log entries and timestamps "
                    + "against it).")
    Path trustedRoot;

    boolean given() {
        return identityGiven() || trustedRoot != null;
    }

    private boolean identityGiven() {
        return identity != null || identityRegexp != null || issuer != null || issuerRegexp != null
                || repository != null || ref != null || sha != null || trigger != null;
    }

    /** Exactly one of --key and the keyless options; true when verifying keyless. */
    boolean keyless(Path key, picocli.CommandLine cl) {
        if ((key != null) == given()) {
            throw new picocli.CommandLine.ParameterException(cl, key != null
                    ? "--key and the keyless options (--certificate-*, --trusted-root) exclude each other"
                    : "give --key, or --certificate-identity[-regexp] and --certificate-oidc-issuer[-regexp]");
        }
        return key == null;
    }

    /**
     * For bundles, which may carry log entries whatever signed them: exactly one of --key and the identity
     * options, and --trusted-root with either (with a key, the bundle's log entries and timestamps are then checked
     * against it). True when verifying keyless.
     */
    boolean keylessOrKeyWithRoot(Path key, picocli.CommandLine cl) {
        if ((key != null) == identityGiven()) {
            throw new picocli.CommandLine.ParameterException(cl, key != null
                    ? "--key and the --certificate-* options exclude each other"
                    : "give --key, or --certificate-identity[-regexp] and --certificate-oidc-issuer[-regexp]");
        }
        return key == null;
    }

    /**
     * The verifier of image signatures and attestations the options describe: the public key file, or the identity
     * options against the trusted root (public-good without --trusted-root).
     */
    ImageVerifier imageVerifier(Path key, picocli.CommandLine cl) throws Exception {
        if (!keyless(key, cl)) {
            return ImageVerifier.byKey(EncryptedKeys.readPublicKey(Files.readString(key, StandardCharsets.US_ASCII),
                    key.toString()), key.toString());
        }
        return ImageVerifier.byIdentity(identity(), instance());
    }

    Identity identity() throws KeylessException {
        Map<String, String> claims = new LinkedHashMap<>();
        if (repository != null) {
            claims.put("repository", repository);
        }
        if (ref != null) {
            claims.put("ref", ref);
        }
        if (sha != null) {
            claims.put("sha", sha);
        }
        if (trigger != null) {
            claims.put("trigger", trigger);
        }
        Identity id = new Identity(identity, identityRegexp, issuer, issuerRegexp, claims);
        try {
            id.validate();
        } catch (KeylessException e) {
            // A missing or malformed identity option is a usage error (exit 2), like any other option.
            throw new picocli.CommandLine.ParameterException(mixee.commandLine(), e.getMessage());
        }
        return id;
    }

    SigstoreInstance instance() throws KeylessException {
        return SigstoreInstance.of(trustedRoot, null);
    }
}
