package dev.distill.attest.store;

import dev.distill.attest.AttestException;
import dev.distill.attest.image.CosignLayers;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.image.ReferrerBundles;
import dev.distill.attest.sign.Signer;
import dev.distill.attest.sign.SigningException;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where an image's signatures and attestations are kept, chosen once: cosign's {@code sha256-<hex>.sig} and
 * {@code .att} tags ({@link ReferrerBundles.Mode#LEGACY}), or Sigstore bundles as OCI 1.1 referrers with the
 * tag-schema fallback ({@link ReferrerBundles.Mode#OCI_1_1}). Signing writes in the chosen storage;
 * verification ({@link ImageSignatures#verify}, {@link ImageAttestations#verify}) reads both, so an image signed
 * either way verifies.
 */
public record SignatureStore(RegistryClient client, ReferrerBundles.Mode mode) {
    public SignatureStore {
        Objects.requireNonNull(client);
        Objects.requireNonNull(mode);
    }

    /**
     * Signs the image's digest (resolved once), and with {@code allPlatforms} every platform manifest of an index
     * too; returns the digests signed. Legacy: a simple-signing payload with the annotations, as a layer of the
     * {@code .sig} manifest. OCI 1.1: a bundle over the manifest itself, which leaves no room for annotations.
     */
    public List<Digest> sign(ImageReference ref, Signer signer, Map<String, String> annotations,
                             boolean allPlatforms) throws IOException, AttestException {
        if (mode == ReferrerBundles.Mode.OCI_1_1 && !annotations.isEmpty()) {
            throw new SigningException("annotations need the legacy storage: in oci-1-1 mode the signature covers "
                    + "the image manifest itself, which has no room for them");
        }
        List<Digest> digests = allPlatforms ? ImageSignatures.allPlatforms(client, ref)
                : List.of(client.resolve(ref));
        List<Digest> signed = new ArrayList<>();
        for (Digest d : digests) {
            ImageReference pinned = ref.withDigest(d);
            if (mode == ReferrerBundles.Mode.OCI_1_1) {
                RegistryClient.Manifest m = client.manifest(ref.registry(), ref.repository(), d.toString());
                ReferrerBundles.push(client, pinned, m.descriptor(), signer.signMessage(m.bytes()),
                        ReferrerBundles.MESSAGE_SIGNATURE, ReferrerBundles.SIGN_PREDICATE);
            } else {
                byte[] payload = ImageSignatures.payload(ref, d, annotations);
                ImageSignatures.append(client, pinned, ImageSignatures.signatureTag(d), ImageSignatures.PAYLOAD_TYPE,
                        payload, CosignLayers.signatureAnnotations(signer.signMessage(payload)),
                        "signature manifest");
            }
            signed.add(d);
        }
        return signed;
    }

    /**
     * Attests {@code predicate} (JSON) of {@code predicateType} about the image's digest (resolved once): an
     * in-toto Statement v1 in a DSSE envelope. Legacy: the envelope as a layer of the {@code .att} manifest, with
     * its predicate type as an annotation. OCI 1.1: the bundle as a referrer. Returns the digest attested.
     */
    public Digest attest(ImageReference ref, Signer signer, String predicateType, byte[] predicate)
            throws IOException, AttestException {
        RegistryClient.Manifest m = client.manifest(ref.registry(), ref.repository(), ref.identifier());
        Digest digest = m.digest();
        byte[] statement = ImageAttestations.statement(ref, digest, predicateType, predicate);
        String bundle = signer.signStatement(statement);
        if (mode == ReferrerBundles.Mode.OCI_1_1) {
            ReferrerBundles.push(client, ref.withDigest(digest), m.descriptor(), bundle,
                    ReferrerBundles.DSSE_ENVELOPE, predicateType);
        } else {
            ImageAttestations.Signed layer = CosignLayers.attestationLayer(bundle);
            Map<String, String> annotations = new LinkedHashMap<>(layer.annotations());
            annotations.put("predicateType", predicateType);
            ImageSignatures.append(client, ref.withDigest(digest), ImageAttestations.attestationTag(digest),
                    ImageAttestations.ENVELOPE_TYPE, layer.envelope(), annotations, "attestation manifest");
        }
        return digest;
    }
}
