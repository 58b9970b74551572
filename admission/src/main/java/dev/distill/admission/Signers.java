package dev.distill.admission;

import dev.distill.attest.keyless.Identity;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Who must have signed the attestations the policies judge: a public key file, or a certificate identity checked
 * against a trusted root file (or, without one, the public-good instance's, through TUF). The server reads these
 * files with the policies and reads them again when they change ({@link Policies}); the trusted root is also the
 * one for the policies' identity signers when a policy names none of its own.
 */
public record Signers(Path key, Identity identity, Path trustedRoot) {
    public Signers {
        if ((key == null) == (identity == null)) {
            throw new IllegalArgumentException("attestations are signed with a key or by an identity, one of them");
        }
        if (key != null && trustedRoot != null) {
            throw new IllegalArgumentException("a trusted root is for an identity, not a key");
        }
    }

    /** Attestations signed with the private half of this PEM public key. */
    public static Signers key(Path publicKey) {
        return new Signers(Objects.requireNonNull(publicKey, "publicKey"), null, null);
    }

    /** Attestations signed keyless by this identity, against this trusted root (null: the public-good instance). */
    public static Signers identity(Identity who, Path trustedRoot) {
        return new Signers(null, Objects.requireNonNull(who, "who"), trustedRoot);
    }

    /** The files the decisions depend on: the key, or the trusted root if there is one. */
    List<Path> files() {
        return key != null ? List.of(key) : trustedRoot != null ? List.of(trustedRoot) : List.of();
    }

    /** For log lines: the key file, or the identity and its trusted root. */
    String describe() {
        if (key != null) {
            return "key " + key;
        }
        return identity + " (" + (trustedRoot == null ? "public-good Sigstore" : "trusted root " + trustedRoot) + ")";
    }
}
