package dev.distill.attest.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distill.attest.VerificationException;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.keyless.Identity;
import dev.distill.attest.keyless.KeylessException;
import dev.distill.attest.keyless.SigstoreInstance;
import dev.distill.attest.keys.EncryptedKeys;
import dev.distill.attest.keys.KeyException;
import dev.distill.attest.verify.ImageChecks;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.sbom.audit.AuditReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The policy gate: a function of (registry, attestation check, policy, image) that returns a report; it prints
 * nothing. The image's tag is resolved to a digest once, so every rule, the audit and the signatures are about that
 * digest even if the tag moves meanwhile. On a multi-platform index, the rules about digests are judged on the
 * index, the SBOM and filesystem rules on every platform manifest (each on its own attestations and audit, the
 * failures named after the platform); SBOMs attested about the index itself are judged too but stand in for no
 * platform.
 *
 * @param attestations how attestations are verified (by key or keyless): only those that verify are evidence
 * @param signerInstance the Sigstore instance for the policy's identity signers when the policy names no
 *                       trusted root of its own
 * @param audit the audit of an image by digest (asked for only by filesystem rules)
 * @param signerFiles where the key files and trusted roots the policy's signers name are read from
 */
public record PolicyGate(RegistryClient client, ImageAttestations.EnvelopeCheck attestations,
                         SigstoreInstance signerInstance, Function<ImageReference, AuditReport> audit,
                         SignerFiles signerFiles) {

    /** A gate that reads the policy's key files and trusted root from disk at each evaluation. */
    public PolicyGate(RegistryClient client, ImageAttestations.EnvelopeCheck attestations,
                      SigstoreInstance signerInstance, Function<ImageReference, AuditReport> audit) {
        this(client, attestations, signerInstance, audit, SignerFiles.FROM_DISK);
    }

    /**
     * The public keys and trusted roots a policy's signers name ({@link Policy#files}). A command reads them from
     * disk when it runs; a server that judges many images under one loaded policy gives the contents it loaded
     * (and checked) with the policy, so that its decisions follow one consistent set of files.
     */
    public interface SignerFiles {
        /** The public key in a signer's key file. */
        PublicKey key(Path file) throws IOException, KeyException;

        /** The Sigstore instance of a policy's trusted root file. */
        SigstoreInstance trustedRoot(Path file) throws KeylessException;

        SignerFiles FROM_DISK = new SignerFiles() {
            @Override
            public PublicKey key(Path file) throws IOException, KeyException {
                return EncryptedKeys.readPublicKey(Files.readString(file, StandardCharsets.US_ASCII),
                        file.toString());
            }

            @Override
            public SigstoreInstance trustedRoot(Path file) throws KeylessException {
                return SigstoreInstance.of(file, null);
            }
        };
    }

    /**
     * The outcome: the digest judged, every check, passed or not, and every attestation considered as evidence
     * (of the image and of each platform manifest), verified or not.
     */
    public record Report(ImageReference image, Digest digest, List<Policy.Check> checks,
                         List<ImageAttestations.Attempt> attestations) {
        public boolean passed() {
            return checks.stream().allMatch(Policy.Check::passed);
        }

        public List<String> failed() {
            return checks.stream().filter(c -> !c.passed()).map(Policy.Check::name).toList();
        }

        /** The failed checks of enforcing rule sets: what must deny the image. */
        public List<Policy.Check> denials() {
            return checks.stream().filter(c -> !c.passed() && !c.warn()).toList();
        }

        /** The failed checks of rule sets in {@code mode: warn}: reported, denying nothing. */
        public List<Policy.Check> warnings() {
            return checks.stream().filter(c -> !c.passed() && c.warn()).toList();
        }
    }

    /**
     * Judges the image against the policy; {@code requiredTypes} are predicate types that must be attested besides
     * the policy's own (a command's {@code --type}).
     */
    public Report evaluate(ImageReference ref, Policy policy, Set<String> requiredTypes)
            throws IOException, KeylessException, KeyException {
        List<Policy.RuleSet> rules = policy.forImage(ref.registry() + "/" + ref.repository());
        // Every signer's key file and trusted root is read first: a file that cannot be read is bad input, not a
        // failed check.
        Map<Policy.Signer, ImageSignatures.SignatureCheck> signers = new HashMap<>();
        for (Policy.RuleSet set : rules) {
            for (Rule rule : set.rules()) {
                if (rule instanceof SignersRule s) {
                    for (Policy.Signer signer : s.signers()) {
                        signers.put(signer, signatureCheck(signer, policy));
                    }
                }
            }
        }
        Set<String> types = new LinkedHashSet<>(Policy.neededTypes(rules));
        types.addAll(requiredTypes);
        types.add(SbomRule.SPDX);
        types.add(SbomRule.CYCLONEDX);
        ImageReference pinned = ref.withDigest(client.resolve(ref));
        List<ImageAttestations.Attempt> considered = new ArrayList<>();
        Map<String, List<JsonNode>> predicates = predicates(pinned, types, considered);
        List<ImageSignatures.PlatformManifest> manifests = ImageSignatures.platformManifests(client, pinned);
        List<Policy.Check> checks = new ArrayList<>();
        for (String t : requiredTypes) {
            if (predicates.get(t).isEmpty()) {
                checks.add(new Policy.Check("attestation " + t, false, "no verified attestation"));
            }
        }
        if (manifests.size() == 1) {
            checks.addAll(Policy.evaluate(rules, evidence(pinned, predicates, signers)));
        } else {
            boolean indexSboms = !predicates.get(SbomRule.SPDX).isEmpty() || !predicates.get(SbomRule.CYCLONEDX)
                    .isEmpty();
            checks.addAll(Policy.evaluate(rules.stream().map(r -> r.forIndex(indexSboms)).toList(),
                    evidence(pinned, predicates, signers)));
            for (ImageSignatures.PlatformManifest m : manifests.subList(1, manifests.size())) {
                ImageReference platform = pinned.withDigest(m.digest());
                String label = m.platform() == null ? m.digest().toString() : m.platform().toString();
                checks.addAll(Policy.evaluate(rules.stream().map(r -> r.forPlatform(label)).toList(),
                        evidence(platform, predicates(platform, Set.of(SbomRule.SPDX, SbomRule.CYCLONEDX),
                                considered), signers)));
            }
        }
        return new Report(pinned, pinned.digest(), List.copyOf(checks), List.copyOf(considered));
    }

    /** The verified predicates of each type about exactly this digest (an empty list for a type with none). */
    private Map<String, List<JsonNode>> predicates(ImageReference pinned, Set<String> types,
                                                   List<ImageAttestations.Attempt> considered)
            throws IOException, KeylessException {
        Map<String, List<JsonNode>> out = new HashMap<>();
        ImageAttestations.verifyAll(client, pinned, attestations, types, considered).forEach((t, verified) -> out.put(t,
                verified.stream().map(ImageAttestations.Verified::predicate).toList()));
        return out;
    }

    private Evidence evidence(ImageReference pinned, Map<String, List<JsonNode>> predicates,
                              Map<Policy.Signer, ImageSignatures.SignatureCheck> signers) {
        return new Evidence() {
            @Override
            public List<JsonNode> predicates(String type) {
                return predicates.getOrDefault(type, List.of());
            }

            @Override
            public AuditReport audit() {
                return audit.apply(pinned);
            }

            @Override
            public Policy.Check signer(Policy.Signer signer, String label) {
                return signerCheck(pinned, signer, signers.get(signer), label);
            }
        };
    }

    /** How a signer's signatures are checked: with its key file, or keyless against the instance for it. */
    private ImageSignatures.SignatureCheck signatureCheck(Policy.Signer signer, Policy policy)
            throws IOException, KeyException, KeylessException {
        if (signer.key() != null) {
            return ImageSignatures.withKey(signerFiles.key(signer.key()));
        }
        SigstoreInstance instance = policy.trustedRoot() != null ? signerFiles.trustedRoot(policy.trustedRoot())
                : signerInstance;
        return ImageChecks.signatureCheck(new Identity(signer.identity(), signer.identityRegexp(), signer.issuer(),
                signer.issuerRegexp(), Map.of()), instance);
    }

    /** A signer rule: the image must carry a signature that verifies for that key or identity. */
    private Policy.Check signerCheck(ImageReference pinned, Policy.Signer signer,
                                     ImageSignatures.SignatureCheck check, String label) {
        String name = label + "signer " + signer.describe();
        try {
            var verified = ImageSignatures.verify(client, pinned, check, signer.describe(), null);
            return new Policy.Check(name, true, verified.size() + " signature" + (verified.size() == 1 ? "" : "s")
                    + " verified");
        } catch (VerificationException e) {
            return new Policy.Check(name, false, e.getMessage());
        } catch (KeylessException e) {
            return new Policy.Check(name, false, e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
