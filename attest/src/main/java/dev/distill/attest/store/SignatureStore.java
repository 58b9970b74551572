package dev.distill.attest.store;

import dev.distill.attest.AttestException;
import dev.distill.attest.VerificationException;
import dev.distill.attest.image.CosignLayers;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.image.ReferrerBundles;
import dev.distill.attest.keyless.Identity;
import dev.distill.attest.keyless.KeylessException;
import dev.distill.attest.sign.Signer;
import dev.distill.attest.sign.SigningException;
import dev.distill.attest.verify.ImageVerifier;
import dev.distill.attest.verify.SigstoreBundle;
import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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
     * Each signature is read back from the registry and verified before the next is made; one that does not verify
     * is undone (the tag it changed restored, or removed when it made it) and the signing fails.
     */
    public List<Digest> sign(ImageReference ref, Signer signer, Map<String, String> annotations,
                             boolean allPlatforms) throws IOException, AttestException {
        return sign(ref, signer, annotations, allPlatforms, (d, i, n) -> { });
    }

    /** Told of each digest before it is signed (the {@code index}th of {@code count}): for progress. */
    @FunctionalInterface
    public interface Progress {
        void signing(Digest digest, int index, int count);
    }

    /** As {@link #sign(ImageReference, Signer, Map, boolean)}, telling {@code progress} of each digest. */
    public List<Digest> sign(ImageReference ref, Signer signer, Map<String, String> annotations,
                             boolean allPlatforms, Progress progress) throws IOException, AttestException {
        if (mode == ReferrerBundles.Mode.OCI_1_1 && !annotations.isEmpty()) {
            throw new SigningException("annotations need the legacy storage: in oci-1-1 mode the signature covers "
                    + "the image manifest itself, which has no room for them");
        }
        List<Digest> digests = allPlatforms ? ImageSignatures.allPlatforms(client, ref)
                : List.of(client.resolve(ref));
        List<Digest> signed = new ArrayList<>();
        for (Digest d : digests) {
            progress.signing(d, signed.size() + 1, digests.size());
            ImageReference pinned = ref.withDigest(d);
            if (mode == ReferrerBundles.Mode.OCI_1_1) {
                RegistryClient.Manifest m = client.manifest(ref.repo(), d.toString());
                String bundle = signer.signMessage(m.bytes());
                Written w = referrer(pinned, d, () -> ReferrerBundles.push(client, pinned, m.descriptor(), bundle,
                        ReferrerBundles.MESSAGE_SIGNATURE, ReferrerBundles.SIGN_PREDICATE));
                readBackSignature(pinned, signer, bundle, w, "referrer " + w.manifest().shortHex());
            } else {
                byte[] payload = ImageSignatures.payload(ref, d, annotations);
                String bundle = signer.signMessage(payload);
                String tag = ImageSignatures.signatureTag(d);
                Written w = tagged(pinned, tag, () -> ImageSignatures.append(client, pinned, tag,
                        ImageSignatures.PAYLOAD_TYPE, payload, CosignLayers.signatureAnnotations(bundle),
                        "signature manifest"));
                readBackSignature(pinned, signer, bundle, w, Digest.sha256(payload).toString());
            }
            signed.add(d);
        }
        return signed;
    }

    /**
     * Attests {@code predicate} (JSON) of {@code predicateType} about the image's digest (resolved once): an
     * in-toto Statement v1 in a DSSE envelope. Legacy: the envelope as a layer of the {@code .att} manifest, with
     * its predicate type as an annotation. OCI 1.1: the bundle as a referrer. The attestation is read back and
     * verified as {@link #sign} does. Returns the digest attested.
     */
    public Digest attest(ImageReference ref, Signer signer, String predicateType, byte[] predicate)
            throws IOException, AttestException {
        RegistryClient.Manifest m = client.manifest(ref.repo(), ref.identifier());
        Digest digest = m.digest();
        ImageReference pinned = ref.withDigest(digest);
        // The bundle holds the statement; nothing else keeps it (a large one would be in memory twice).
        byte[] bundle = signer.signStatement(ImageAttestations.statement(ref, digest, predicateType, predicate));
        ImageVerifier verifier = verifier(signer, bundle);
        Written w = store(pinned, m.descriptor(), predicateType, bundle);
        bundle = null; // the registry has it: the read-back needs the memory it takes
        String reason;
        try {
            // Only what was just written is read back: the image's other attestations are not this command's to
            // judge, and each would cost its own envelope in memory.
            ImageAttestations.Attempt ours = ImageAttestations.readBack(client, pinned, verifier.attestations(),
                    predicateType, mode, w.written());
            reason = ours == null ? "the registry does not return it" : ours.reason();
        } catch (IOException | KeylessException | RuntimeException e) {
            reason = e.getMessage();
        } catch (OutOfMemoryError e) {
            // What was just written is undone whatever stops its verification; the memory is free again here.
            reason = "verifying it needs more memory than the JVM has (raise -Xmx, DISTILL_JAVA_OPTS)";
        }
        if (reason != null) {
            throw undo(w, "attestation", pinned, reason);
        }
        return digest;
    }

    /** Makes the predicate of the attestation about one subject, before it is signed (for an SBOM: of that platform's filesystem). */
    @FunctionalInterface
    public interface Predicates {
        byte[] of(ImageReference pinned, PlatformSubjects.Subject subject) throws IOException, AttestException;
    }

    /**
     * Attests about each subject in turn ({@link PlatformSubjects#select}), each with its own predicate, as
     * {@link #attest(ImageReference, Signer, String, byte[])}: read back and verified before the next is made. The
     * first failure stops; the attestations made before it stay (each of them verified). Returns the digests
     * attested.
     */
    public List<Digest> attest(ImageReference ref, PlatformSubjects.Selection subjects, Signer signer,
                               String predicateType, Predicates predicates, Progress progress)
            throws IOException, AttestException {
        List<Digest> done = new ArrayList<>();
        for (PlatformSubjects.Subject s : subjects.subjects()) {
            ImageReference pinned = ref.withDigest(s.digest());
            byte[] predicate = predicates.of(pinned, s);
            progress.signing(s.digest(), done.size() + 1, subjects.subjects().size());
            done.add(attest(pinned, signer, predicateType, predicate));
        }
        return done;
    }

    /**
     * What one write changed: the tag it moved or made, what the tag held before, the manifest it wrote, and what
     * was written for the image (the referrer manifest, or the digest of the layer appended to the .att manifest).
     */
    private record Written(String tag, Optional<RegistryClient.Manifest> before, Digest manifest, Digest written) {
        Written(String tag, Optional<RegistryClient.Manifest> before, Digest manifest) {
            this(tag, before, manifest, manifest);
        }

        Written layer(Digest layer) {
            return new Written(tag, before, manifest, layer);
        }
    }

    /** Stores an attestation's bundle: as a referrer (oci-1-1), or as an envelope layer of the .att manifest. */
    private Written store(ImageReference pinned, Descriptor subject, String predicateType, byte[] bundle)
            throws IOException, AttestException {
        if (mode == ReferrerBundles.Mode.OCI_1_1) {
            return referrer(pinned, pinned.digest(), () -> ReferrerBundles.push(client, pinned, subject, bundle,
                    ReferrerBundles.DSSE_ENVELOPE, predicateType));
        }
        ImageAttestations.Signed layer = CosignLayers.attestationLayer(bundle);
        Map<String, String> annotations = new LinkedHashMap<>(layer.annotations());
        annotations.put("predicateType", predicateType);
        String tag = ImageAttestations.attestationTag(pinned.digest());
        return tagged(pinned, tag, () -> ImageSignatures.append(client, pinned, tag, ImageAttestations.ENVELOPE_TYPE,
                layer.envelope(), annotations, "attestation manifest")).layer(Digest.sha256(layer.envelope()));
    }

    @FunctionalInterface
    private interface Write {
        Digest write() throws IOException, AttestException;
    }

    private Written tagged(ImageReference pinned, String tag, Write write) throws IOException, AttestException {
        Optional<RegistryClient.Manifest> before = client.manifestIfPresent(pinned.repo(),
                tag);
        return new Written(tag, before, write.write());
    }

    private Written referrer(ImageReference pinned, Digest subject, Write write) throws IOException,
            AttestException {
        // The fallback tag's index is what a registry without the referrers API lists them from.
        return tagged(pinned, RegistryClient.referrersTag(subject), write);
    }

    private void readBackSignature(ImageReference pinned, Signer signer, String bundle, Written w, String name)
            throws IOException, AttestException {
        List<ImageSignatures.Outcome> outcomes = new ArrayList<>();
        String reason;
        try {
            ImageSignatures.verify(client, pinned, verifier(signer, bundle.getBytes(StandardCharsets.UTF_8)).signatures(), "the signer", outcomes);
            List<String> others = new ArrayList<>();
            outcomes.forEach(o -> others.addAll(o.reasons()));
            reason = missing(others);
            for (ImageSignatures.Outcome o : outcomes) {
                for (int i = 0; i < o.signatures().size(); i++) {
                    if (o.signatures().get(i).equals(name)) {
                        reason = o.reasons().get(i);
                    }
                }
            }
        } catch (VerificationException | IOException | RuntimeException e) {
            reason = e.getMessage();
        }
        if (reason != null) {
            throw undo(w, "signature", pinned, reason);
        }
    }

    /** Why what was written is not found when read back, with what was found instead. */
    private static String missing(List<String> reasons) {
        List<String> known = reasons.stream().filter(Objects::nonNull).toList();
        return "the registry does not return it" + (known.isEmpty() ? "" : " (" + String.join("; ", known) + ")");
    }

    /**
     * How what the signer just made is verified when read back: with its public key, or keyless for exactly the
     * identity and issuer of the certificate in the bundle, against the signer's trusted root.
     */
    private static ImageVerifier verifier(Signer signer, byte[] bundle) throws AttestException {
        if (!signer.keyless()) {
            return ImageVerifier.byKey(signer.publicKey(), "the signing key");
        }
        // Only the verification material is read: the bundle of a large attestation is mostly its payload.
        List<X509Certificate> certs = SigstoreBundle.certificates(bundle);
        if (certs.isEmpty()) {
            throw new SigningException("the signing service returned a bundle without a certificate");
        }
        X509Certificate cert = certs.get(0);
        return ImageVerifier.byIdentity(new Identity(Identity.subjectOf(cert), null, Identity.issuerOf(cert), null,
                Map.of()), signer.instance());
    }

    /**
     * Undoes a write whose result did not verify: the tag gets back what it held, or is removed with the manifest
     * when the write made it; the manifest written is deleted. Returns the failure to throw.
     */
    private SigningException undo(Written w, String what, ImageReference pinned, String reason) {
        String cleanup = "";
        try {
            if (w.before().isPresent()) {
                RegistryClient.Manifest b = w.before().get();
                client.putManifest(pinned.repo(), w.tag(), b.mediaType(), b.bytes());
            } else if (!w.tag().equals(ImageSignatures.signatureTag(pinned.digest()))
                    && !w.tag().equals(ImageAttestations.attestationTag(pinned.digest()))) {
                // A fallback referrers index made by this write: removed with the tag.
                Optional<RegistryClient.Manifest> made = client.manifestIfPresent(pinned.repo(), w.tag());
                if (made.isPresent()) {
                    client.deleteManifest(pinned.repo(), made.get().digest().toString());
                }
            }
            client.deleteManifest(pinned.repo(), w.manifest().toString());
        } catch (IOException e) {
            cleanup = "; undoing it failed too (" + e.getMessage() + "): check tag " + w.tag();
        }
        return new SigningException("the " + what + " written for " + pinned.repository() + "@" + pinned.digest()
                + " does not verify when read back from the registry, so it was removed: " + reason + cleanup);
    }
}
