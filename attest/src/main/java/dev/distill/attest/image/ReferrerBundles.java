package dev.distill.attest.image;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.AttestLimits;
import dev.distill.attest.VerificationException;
import dev.distill.attest.bundle.BlobSignatures;
import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageException;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.Artifact;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.wire.Json;
import dev.distill.oci.wire.ManifestTemplate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sigstore bundles stored as OCI 1.1 referrers of an image, the layout of {@code cosign --new-bundle-format}:
 * an image manifest with {@code artifactType application/vnd.dev.sigstore.bundle.v0.3+json}, the empty config,
 * one layer holding the bundle, the image as {@code subject}, and the annotations
 * {@code dev.sigstore.bundle.content} ({@code message-signature} or {@code dsse-envelope}) and
 * {@code dev.sigstore.bundle.predicateType}. Registries without the referrers API (distribution 2.8) get the
 * {@code sha256-<hex>} tag-schema index, which the registry client keeps. The annotations are hints for
 * listing; verification never trusts them (cosign once did: GHSA-w6c6-c85g-mmv6).
 */
public final class ReferrerBundles {
    public static final String ARTIFACT_TYPE = BlobSignatures.BUNDLE_V03;
    public static final String CONTENT = "dev.sigstore.bundle.content";
    public static final String PREDICATE_TYPE = "dev.sigstore.bundle.predicateType";
    public static final String MESSAGE_SIGNATURE = "message-signature";
    public static final String DSSE_ENVELOPE = "dsse-envelope";
    /** The predicate type cosign gives image signatures in this layout. */
    public static final String SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
    static final String EMPTY_TYPE = "application/vnd.oci.empty.v1+json";
    private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

    private ReferrerBundles() {
    }

    /** How signatures and attestations are stored next to an image. */
    public enum Mode {
        /** cosign's {@code sha256-<hex>.sig} / {@code .att} tags: every registry, every cosign version. */
        LEGACY,
        /** OCI 1.1 referrers holding Sigstore bundles, with the tag-schema fallback. */
        OCI_1_1;

        public static Mode parse(String s) {
            return switch (s) {
                case "legacy" -> LEGACY;
                case "oci-1-1" -> OCI_1_1;
                default -> throw new IllegalArgumentException("unknown referrers mode '" + s
                        + "' (legacy, oci-1-1)");
            };
        }
    }

    /** Pushes the bundle as a referrer of the image {@code subject}; returns the referrer manifest's digest. */
    public static Digest push(RegistryClient client, ImageReference ref, Descriptor subject, String bundleJson,
                              String content, String predicateType) throws IOException {
        return push(client, ref, subject, bundleJson.getBytes(StandardCharsets.UTF_8), content, predicateType);
    }

    /** As {@link #push(RegistryClient, ImageReference, Descriptor, String, String, String)}, the bundle as UTF-8
     * bytes (pushed as they are: a large attestation's bundle is not copied). */
    public static Digest push(RegistryClient client, ImageReference ref, Descriptor subject, byte[] bundle,
                              String content, String predicateType) throws IOException {
        return client.pushArtifact(ref.repo(), null, artifact(subject, bundle, content, predicateType));
    }

    /** The referrer manifest {@link #push} writes for the bundle: the same bytes for the same bundle. */
    public static byte[] manifest(Descriptor subject, byte[] bundle, String content, String predicateType) {
        return artifact(subject, bundle, content, predicateType).manifest();
    }

    private static Artifact artifact(Descriptor subject, byte[] bundle, String content, String predicateType) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(CONTENT, content);
        annotations.put(PREDICATE_TYPE, predicateType);
        return new Artifact(ARTIFACT_TYPE, Artifact.Blob.of(EMPTY_TYPE, EMPTY, null),
                List.of(Artifact.Blob.of(ARTIFACT_TYPE, bundle, null)), subject, annotations);
    }

    /**
     * One bundle found: its referrer manifest's digest (short, for messages), the bundle's size in bytes, the bundle
     * as JSON, and for a DSSE bundle its envelope's bytes as stored. The JSON of a DSSE bundle leaves the envelope's
     * payload out (it is the bulk of an attestation, and the envelope holds it), as a legacy layer's bundle
     * annotation does; the bundle blob itself is not kept.
     */
    public record Found(String name, long size, JsonNode bundle, byte[] envelope) {
        /** The bundle's JSON text (of a DSSE bundle, without the envelope's payload). */
        public String bundleJson() {
            return bundle.toString();
        }
    }

    /**
     * The Sigstore bundles that refer to {@code subject} and hold {@code content} (a message signature or a DSSE
     * envelope): one listing of the referrers, then each referrer manifest and its bundle, every byte checked
     * against its digest. A referrer that cannot be read becomes a failure message instead.
     */
    public static List<Found> find(RegistryClient client, ImageReference ref, Digest subject, String content,
                                   List<String> failures) throws IOException {
        List<Found> out = new ArrayList<>();
        for (Descriptor d : client.referrers(ref.repo(), subject)) {
            if (!ARTIFACT_TYPE.equals(d.artifactType())) {
                continue;
            }
            String hinted = d.annotations().get(CONTENT);
            if (hinted != null && !hinted.equals(content)) {
                continue;
            }
            try {
                out.add(read(client, ref, d, subject, content));
            } catch (VerificationException | ImageException e) {
                failures.add("referrer " + d.digest().shortHex() + ": " + e.getMessage());
            }
        }
        return out;
    }

    static Found read(RegistryClient client, ImageReference ref, Descriptor d, Digest subject,
                              String content) throws IOException, VerificationException {
        RegistryClient.Manifest m = client.manifest(ref.repo(), d.digest().toString());
        ManifestTemplate manifest = Json.read(m.bytes(), ManifestTemplate.class, "referrer " + d.digest());
        if (manifest.subject() == null || !subject.toString().equals(manifest.subject().digest())) {
            throw new VerificationException("its subject is not " + subject);
        }
        if (manifest.layers() == null || manifest.layers().size() != 1) {
            throw new VerificationException("a bundle referrer must have exactly one layer");
        }
        byte[] bytes = ImageSignatures.readBlob(client, ref, manifest.layers().get(0),
                AttestLimits.maxEnvelopeBytes(), "bundle").bytes();
        return parse(d.digest().shortHex(), bytes, content);
    }

    /**
     * Reads a bundle as a stream: everything but a DSSE envelope's payload into a tree, and the envelope's bytes as
     * they stand in the bundle (one copy of the payload in memory, never a tree or a string of it). A field given
     * twice is refused.
     */
    static Found parse(String name, byte[] bytes, String content) throws VerificationException {
        ObjectNode bundle = AttestLimits.strictJson().createObjectNode();
        byte[] envelope = null;
        try (JsonParser p = AttestLimits.strictJson().createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new VerificationException("its bundle is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (!field.equals("dsseEnvelope") || value != JsonToken.START_OBJECT) {
                    bundle.set(field, p.readValueAsTree());
                    continue;
                }
                long start = p.currentTokenLocation().getByteOffset();
                ObjectNode dsse = bundle.putObject(field);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    p.nextToken();
                    if (f.equals("payload")) {
                        p.skipChildren();
                    } else {
                        dsse.set(f, p.readValueAsTree());
                    }
                }
                long end = p.currentTokenLocation().getByteOffset() + 1;
                envelope = Arrays.copyOfRange(bytes, (int) start, (int) end);
            }
            if (p.nextToken() != null) {
                throw new VerificationException("its bundle is not valid JSON");
            }
        } catch (IOException e) {
            throw new VerificationException("its bundle is not valid JSON");
        }
        boolean message = bundle.has("messageSignature");
        boolean dsse = envelope != null;
        if (message == dsse || (content.equals(MESSAGE_SIGNATURE) != message)) {
            throw new VerificationException("its bundle does not hold a " + content.replace('-', ' '));
        }
        return new Found(name, bytes.length, bundle, envelope);
    }
}
