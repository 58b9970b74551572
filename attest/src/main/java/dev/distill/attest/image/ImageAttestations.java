package dev.distill.attest.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.bundle.VerificationException;
import dev.distill.attest.dsse.Dsse;
import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageException;
import dev.distill.oci.ImageReference;
import dev.distill.oci.Manifests;
import dev.distill.oci.MediaTypes;
import dev.distill.oci.VerifyingInputStream;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.registry.RegistryException;
import dev.distill.oci.wire.DescriptorTemplate;
import dev.distill.oci.wire.Json;
import dev.distill.oci.wire.ManifestTemplate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * In-toto attestations (Statement v1 in a DSSE envelope) about an image, signed with a key and stored as cosign
 * stores them: envelope layers of the manifest tagged {@code sha256-<hex>.att}, each with a
 * {@code predicateType} annotation. Verification checks the envelope's signature and payload type, that the
 * statement's subject is the image's digest, and that the predicate type is the one asked for; a statement of
 * another type never passes (cosign once let it: GHSA-w6c6-c85g-mmv6).
 */
public final class ImageAttestations {
    public static final String ENVELOPE_TYPE = "application/vnd.dsse.envelope.v1+json";
    public static final String STATEMENT_V1 = "https://in-toto.io/Statement/v1";

    private ImageAttestations() {
    }

    /** Short names cosign users know, or any URI. */
    public static String predicateType(String nameOrUri) {
        return switch (nameOrUri.toLowerCase(Locale.ROOT)) {
            case "spdx", "spdxjson" -> "https://spdx.dev/Document";
            case "cyclonedx" -> "https://cyclonedx.org/bom";
            case "slsaprovenance", "slsaprovenance1" -> "https://slsa.dev/provenance/v1";
            case "vuln" -> "https://cosign.sigstore.dev/attestation/vuln/v1";
            case "custom" -> "https://cosign.sigstore.dev/attestation/v1";
            default -> {
                if (!nameOrUri.contains(":")) {
                    throw new IllegalArgumentException("unknown predicate type '" + nameOrUri + "' (spdx, cyclonedx, "
                            + "slsaprovenance, or a URI)");
                }
                yield nameOrUri;
            }
        };
    }

    public static String attestationTag(Digest image) {
        return image.algorithm() + "-" + image.hex() + ".att";
    }

    static Digest resolve(RegistryClient client, ImageReference ref) throws IOException {
        return ref.digest() != null ? ref.digest() : client.head(ref.registry(), ref.repository(), ref.identifier())
                .orElseThrow(() -> new RegistryException("registry " + ref.registry() + ": no image "
                        + ref.repository() + ":" + ref.tag(), 404)).digest();
    }

    /** Attests {@code predicate} (JSON) about the image and pushes the envelope next to it. */
    public static Digest attest(RegistryClient client, ImageReference ref, PrivateKey key, String predicateType,
                                byte[] predicateJson) throws IOException, GeneralSecurityException {
        Digest digest = resolve(client, ref);
        ObjectMapper m = new ObjectMapper();
        JsonNode predicate;
        try {
            predicate = m.readTree(predicateJson);
        } catch (IOException e) {
            throw new ImageException("the predicate is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        ObjectNode statement = m.createObjectNode();
        statement.put("_type", STATEMENT_V1);
        ObjectNode subject = statement.putArray("subject").addObject();
        subject.put("name", ref.registry() + "/" + ref.repository());
        subject.putObject("digest").put(digest.algorithm(), digest.hex());
        statement.put("predicateType", predicateType);
        statement.set("predicate", predicate);
        byte[] envelope = Dsse.sign(key, Dsse.IN_TOTO, statement.toString().getBytes(StandardCharsets.UTF_8));
        Digest envDigest = Digest.sha256(envelope);
        client.pushBlob(ref.registry(), ref.repository(), envDigest, envelope.length,
                () -> new ByteArrayInputStream(envelope), null, 0);

        String tag = attestationTag(digest);
        List<DescriptorTemplate> layers = new ArrayList<>();
        if (client.head(ref.registry(), ref.repository(), tag).isPresent()) {
            ManifestTemplate existing = Json.read(client.manifest(ref.registry(), ref.repository(), tag).bytes(),
                    ManifestTemplate.class, "attestation manifest " + tag);
            if (existing.layers() != null) {
                layers.addAll(existing.layers());
            }
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(ImageSignatures.SIGNATURE_ANNOTATION, "");
        annotations.put("predicateType", predicateType);
        layers.add(new DescriptorTemplate(ENVELOPE_TYPE, envDigest.toString(), (long) envelope.length, null,
                annotations, null, null));
        byte[] config = ("{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"os\":\"\",\"config\":{},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + String.join(",", layers.stream()
                .map(l -> "\"" + l.digest() + "\"").toList()) + "]}}").getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.sha256(config);
        client.pushBlob(ref.registry(), ref.repository(), configDigest, config.length,
                () -> new ByteArrayInputStream(config), null, 0);
        client.putManifest(ref.registry(), ref.repository(), tag, MediaTypes.OCI_MANIFEST, Json.write(
                new ManifestTemplate(2, MediaTypes.OCI_MANIFEST, null, new DescriptorTemplate(MediaTypes.OCI_CONFIG,
                        configDigest.toString(), config.length), layers, null, null)));
        return digest;
    }

    /** A verified statement's predicate. */
    public record Verified(Digest image, String predicateType, JsonNode predicate) {
    }

    /**
     * The attestations of the wanted predicate type that verify with the key and are about the image's digest;
     * at least one, or VerificationException listing why each candidate failed.
     */
    public static List<Verified> verify(RegistryClient client, ImageReference ref, PublicKey key, String predicateType)
            throws IOException, VerificationException {
        Digest digest = resolve(client, ref);
        String tag = attestationTag(digest);
        if (client.head(ref.registry(), ref.repository(), tag).isEmpty()) {
            throw new VerificationException("no attestations for " + ref.repository() + "@" + digest + " (no " + tag
                    + " tag)");
        }
        ManifestTemplate m = Json.read(client.manifest(ref.registry(), ref.repository(), tag).bytes(),
                ManifestTemplate.class, "attestation manifest " + tag);
        List<Verified> ok = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (DescriptorTemplate layer : m.layers() == null ? List.<DescriptorTemplate>of() : m.layers()) {
            try {
                ok.add(verifyOne(client, ref, layer, digest, key, predicateType));
            } catch (VerificationException e) {
                reasons.add(e.getMessage());
            }
        }
        if (ok.isEmpty()) {
            throw new VerificationException("no attestation of type " + predicateType + " about " + ref.repository()
                    + "@" + digest + " verifies with the key" + (reasons.isEmpty() ? "" : ": "
                    + String.join("; ", reasons)));
        }
        return ok;
    }

    private static Verified verifyOne(RegistryClient client, ImageReference ref, DescriptorTemplate layer,
                                      Digest digest, PublicKey key, String wantedType)
            throws IOException, VerificationException {
        if (!ENVELOPE_TYPE.equals(layer.mediaType())) {
            throw new VerificationException("a layer of type " + layer.mediaType() + " is not a DSSE envelope");
        }
        Descriptor d;
        try {
            d = Manifests.descriptor(layer, "attestation layer");
        } catch (ImageException e) {
            throw new VerificationException(e.getMessage());
        }
        if (d.size() > (64L << 20)) {
            throw new VerificationException("an attestation larger than 64 MiB");
        }
        byte[] envelope;
        try (InputStream in = new VerifyingInputStream(client.blob(ref.registry(), ref.repository(), d.digest()),
                d.digest(), d.size(), "attestation " + d.digest())) {
            envelope = in.readAllBytes();
        }
        byte[] payload = Dsse.verify(envelope, Dsse.IN_TOTO, key);
        JsonNode statement = new ObjectMapper().readTree(payload);
        if (!STATEMENT_V1.equals(statement.path("_type").asText())
                && !"https://in-toto.io/Statement/v0.1".equals(statement.path("_type").asText())) {
            throw new VerificationException("attestation " + d.digest().shortHex() + " is not an in-toto statement");
        }
        String type = statement.path("predicateType").asText("");
        if (!type.equals(wantedType)) {
            throw new VerificationException("attestation " + d.digest().shortHex() + " has predicate type " + type);
        }
        boolean about = false;
        for (JsonNode s : statement.path("subject")) {
            if (s.path("digest").path(digest.algorithm()).asText("").equals(digest.hex())) {
                about = true;
            }
        }
        if (!about) {
            throw new VerificationException("attestation " + d.digest().shortHex() + " is about another image, not "
                    + digest);
        }
        return new Verified(digest, type, statement.path("predicate"));
    }
}
