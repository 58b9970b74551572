package dev.distill.attest.sign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.AttestException;
import dev.distill.attest.AttestLimits;
import dev.distill.attest.bundle.BlobSignatures;
import dev.distill.attest.dsse.Dsse;
import dev.distill.attest.keyless.KeylessSigning;
import dev.distill.attest.keyless.SigstoreInstance;
import dev.distill.attest.keys.EncryptedKeys;
import dev.distill.attest.keys.KeyException;
import dev.distill.oci.Digest;
import dev.sigstore.oidc.client.OidcClients;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Objects;

/**
 * The front door for signing: built once, with a key or keyless, then used for any number of blobs, image
 * manifests, signature payloads and in-toto statements. Everything it signs comes out as a Sigstore bundle
 * (v0.3): a message signature for content, a DSSE envelope for statements. Where a bundle is kept (a file, a
 * cosign tag, an OCI 1.1 referrer) is the caller's choice, not the signer's.
 *
 * <p>Keyless, message signatures are logged in Rekor v1 (whose signed entry timestamp cosign's image signature
 * annotations carry) and statements in Rekor v2 with a TSA timestamp (statements over {@link #FULL_LOG_LIMIT} as
 * the digest of their envelope); each is set up on first use, with one
 * Fulcio certificate for every signature of its kind made by this signer.
 */
public final class Signer implements AutoCloseable {
    private final PrivateKey key;
    private final PublicKey publicKey;
    private final SigstoreInstance instance;
    private final OidcClients tokens;
    private KeylessSigning messages;
    private KeylessSigning statements;

    private Signer(PrivateKey key, PublicKey publicKey, SigstoreInstance instance, OidcClients tokens) {
        this.key = key;
        this.publicKey = publicKey;
        this.instance = instance;
        this.tokens = tokens;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** With a key ({@link #key}) or keyless ({@link #keyless} or the {@link #publicGood} preset). */
    public static final class Builder {
        private PrivateKey key;
        private SigstoreInstance instance;
        private OidcClients tokens;

        /** Signs with this private key (ECDSA, RSA or Ed25519, as {@code distill key} reads them). */
        public Builder key(PrivateKey key) {
            this.key = Objects.requireNonNull(key);
            return this;
        }

        /** Signs keyless on this Sigstore instance, with the identity tokens given. */
        public Builder keyless(SigstoreInstance instance, OidcClients tokens) {
            this.instance = Objects.requireNonNull(instance);
            this.tokens = Objects.requireNonNull(tokens);
            return this;
        }

        /** Signs keyless on the public-good instance. */
        public Builder publicGood(OidcClients tokens) {
            return keyless(SigstoreInstance.publicGood(), tokens);
        }

        public Signer build() throws KeyException {
            if ((key == null) == (instance == null)) {
                throw new IllegalStateException("a signer signs either with a key or keyless");
            }
            return new Signer(key, key == null ? null : EncryptedKeys.publicKey(key), instance, tokens);
        }
    }

    /** Whether this signer signs keyless (a certificate in every bundle) rather than with a key. */
    public boolean keyless() {
        return key == null;
    }

    /** The public key of a key signer; null keyless. */
    public PublicKey publicKey() {
        return publicKey;
    }

    /** The Sigstore instance of a keyless signer, whose trusted root verifies what it signs; null with a key. */
    public SigstoreInstance instance() {
        return instance;
    }

    /** A message-signature bundle over {@code content}: its SHA-256 is the bundle's message digest. */
    public String signMessage(byte[] content) throws AttestException {
        if (key != null) {
            try {
                return BlobSignatures.sign(key, publicKey, content);
            } catch (GeneralSecurityException e) {
                throw new SigningException("the key cannot sign: " + e.getMessage(), e);
            }
        }
        if (messages == null) {
            messages = KeylessSigning.open(instance, tokens, false);
        }
        return messages.signDigest(Digest.newSha256().digest(content)) + "\n";
    }

    /**
     * A DSSE bundle (UTF-8 JSON) whose envelope (payload type in-toto) carries {@code statement}. Bytes, not a
     * string: an SBOM's bundle may be hundreds of megabytes, and is written once, straight into its array.
     */
    public byte[] signStatement(byte[] statement) throws AttestException {
        if (key != null) {
            try {
                return BlobSignatures.dsseBundle(publicKey, Dsse.IN_TOTO, statement, Dsse.signature(key, Dsse.IN_TOTO,
                        statement));
            } catch (GeneralSecurityException | IOException e) {
                throw new SigningException("the key cannot sign: " + e.getMessage(), e);
            }
        }
        if (statements == null) {
            statements = KeylessSigning.open(instance, tokens, true);
        }
        if (statement.length <= FULL_LOG_LIMIT) {
            return statements.attest(statement).getBytes(StandardCharsets.UTF_8);
        }
        // Logged as the digest of the envelope's pre-authentication encoding (a Rekor v2 hashedrekord, as
        // sigstore-java 2.2 and cosign's hashed variant log envelopes): the log's request size limit never applies.
        String signed = statements.signDigest(Dsse.paeSha256(Dsse.IN_TOTO, statement));
        return dsseBundle(signed, statement);
    }

    /**
     * Statements up to this size go to the log whole, as sigstore-java's {@code attest} sends them (a Rekor v2
     * {@code dsse} entry, which sigstore-js verifies); larger ones are logged as the digest of their envelope.
     */
    public static final int FULL_LOG_LIMIT = 64 << 10;

    /** A message-signature bundle over an envelope's PAE digest, turned into the DSSE bundle it stands for. */
    private static byte[] dsseBundle(String messageBundle, byte[] statement) throws SigningException {
        try {
            ObjectNode b = (ObjectNode) AttestLimits.json().readTree(messageBundle);
            JsonNode signature = b.path("messageSignature").path("signature");
            if (!signature.isTextual()) {
                throw new SigningException("the signing service returned a bundle without a signature");
            }
            b.remove("messageSignature");
            // The one bundle writer that key signing uses too.
            return BlobSignatures.dsseBundle(b, Dsse.IN_TOTO, statement, Base64.getDecoder().decode(
                    signature.asText()));
        } catch (IOException | ClassCastException | IllegalArgumentException e) {
            throw new SigningException("the signing service returned an unreadable bundle", e);
        }
    }

    @Override
    public void close() {
        if (messages != null) {
            messages.close();
        }
        if (statements != null) {
            statements.close();
        }
    }
}
