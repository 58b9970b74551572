package dev.distill.attest.image;

import dev.distill.attest.keyless.Identity;
import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.wire.DescriptorTemplate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What is attached to an image, as {@code cosign tree} lists it, in both storages: signatures and attestations
 * under cosign's tags, and Sigstore bundles referring to the image. A listing, not a verification: the signer
 * and predicate type shown are what the registry claims.
 */
public final class Attachments {
    private Attachments() {
    }

    /** One attached item: where it is stored, what it is, its digest, and what it claims. */
    public record Item(String storage, String kind, String digest, Map<String, String> claims) {
    }

    /** Everything attached to the image's digest (the tag resolved once). */
    public static List<Item> list(RegistryClient client, ImageReference ref) throws IOException {
        Digest digest = client.resolve(ref);
        List<Item> out = new ArrayList<>();
        String sigTag = ImageSignatures.signatureTag(digest);
        for (DescriptorTemplate l : ImageSignatures.layers(client, ref, sigTag, "signature manifest")
                .orElse(List.of())) {
            out.add(new Item(sigTag, "signature", l.digest(), claims(l.annotations(), false)));
        }
        String attTag = ImageAttestations.attestationTag(digest);
        for (DescriptorTemplate l : ImageSignatures.layers(client, ref, attTag, "attestation manifest")
                .orElse(List.of())) {
            out.add(new Item(attTag, "attestation", l.digest(), claims(l.annotations(), true)));
        }
        for (Descriptor d : client.referrers(ref.repo(), digest)) {
            Map<String, String> claims = new LinkedHashMap<>();
            claims.put("artifactType", String.valueOf(d.artifactType()));
            String content = d.annotations().get(ReferrerBundles.CONTENT);
            String type = d.annotations().get(ReferrerBundles.PREDICATE_TYPE);
            if (type != null) {
                claims.put("predicateType", type);
            }
            String kind = ReferrerBundles.ARTIFACT_TYPE.equals(d.artifactType())
                    ? (ReferrerBundles.MESSAGE_SIGNATURE.equals(content) ? "signature" : "attestation") : "artifact";
            out.add(new Item("referrers", kind, d.digest().toString(), claims));
        }
        return out;
    }

    private static Map<String, String> claims(Map<String, String> annotations, boolean attestation) {
        Map<String, String> claims = new LinkedHashMap<>();
        if (annotations == null) {
            return claims;
        }
        if (attestation && annotations.containsKey("predicateType")) {
            claims.put("predicateType", annotations.get("predicateType"));
        }
        String cert = annotations.get(CosignLayers.CERTIFICATE_ANNOTATION);
        if (cert == null) {
            claims.put("signer", "key");
            return claims;
        }
        try {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(cert.getBytes(StandardCharsets.US_ASCII)));
            claims.put("signer", Identity.subjectOf(c));
            claims.put("issuer", Identity.issuerOf(c));
        } catch (Exception e) {
            claims.put("signer", "keyless (unreadable certificate)");
        }
        return claims;
    }
}
