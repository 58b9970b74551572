package dev.distill.attest.keyless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sigstore.fulcio.client.FulcioVerifier;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Trusted roots, loaded once per run and checked strictly: every keyless check, the bundle verifier's and the
 * cosign legacy layout's ({@link CosignLegacySignatures}), takes its trusted root from here.
 */
public final class TrustedRoots {
    /** How far a signed time may lie ahead of this machine's clock (clock skew), no more. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(2);
    private static final Map<Path, Trust> TRUST = new HashMap<>();

    private TrustedRoots() {
    }

    /** An instance's trusted root, and the verifiers built from it. */
    public record Trust(SigstoreTrustedRoot root, FulcioVerifier fulcio) {
    }

    /**
     * The instance's trusted root, checked strictly ({@link #checkTrustedRoot}) and loaded once per run; every
     * keyless check, sigstore-java's and distill's own ({@link CosignLegacySignatures}), takes it from here.
     */
    public static synchronized Trust trust(SigstoreInstance instance) throws KeylessException {
        Path key = instance.trustedRoot() == null ? Path.of("") : instance.trustedRoot().toAbsolutePath();
        Trust t = TRUST.get(key);
        if (t == null) {
            if (instance.trustedRoot() != null) {
                checkTrustedRoot(instance.trustedRoot());
            }
            try {
                SigstoreTrustedRoot root = instance.trustedRootProvider().get();
                t = new Trust(root, FulcioVerifier.newFulcioVerifier(root));
            } catch (Exception e) {
                throw new KeylessException(instance.describe() + ": cannot load the trusted root: "
                        + e.getMessage(), e);
            }
            TRUST.put(key, t);
        }
        return t;
    }

    /**
     * A trusted root whose transparency logs, CT logs, CAs or TSAs have no validity start is refused: such an
     * entry would vouch for signatures made at any time, before the key existed.
     */
    static void checkTrustedRoot(Path file) throws KeylessException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new KeylessException(file + ": not a valid trusted root (not JSON)");
        }
        for (String list : new String[] {"tlogs", "ctlogs"}) {
            for (JsonNode log : root.path(list)) {
                if (log.path("publicKey").path("validFor").path("start").asText("").isEmpty()) {
                    throw new KeylessException(file + ": " + list + " entry " + log.path("baseUrl").asText("?")
                            + " has no validFor.start; refusing a log key valid since forever");
                }
            }
        }
        for (String list : new String[] {"certificateAuthorities", "timestampAuthorities"}) {
            for (JsonNode ca : root.path(list)) {
                if (ca.path("validFor").path("start").asText("").isEmpty()) {
                    throw new KeylessException(file + ": " + list + " entry " + ca.path("uri").asText("?")
                            + " has no validFor.start; refusing an authority valid since forever");
                }
            }
        }
    }
}
