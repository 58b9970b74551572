package dev.distill.attest.store;

import dev.distill.attest.AttestException;
import dev.distill.attest.VerificationException;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.verify.ImageVerifier;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.Platform;
import dev.distill.oci.registry.RegistryClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The manifests of an image that attestations are made about and checked for, read once from the registry: the
 * image itself, one platform manifest of an index ({@code --platform}), or every platform manifest and, when
 * asked, the index too ({@code --all-platforms}). Each attestation is about exactly one of these digests.
 */
public final class PlatformSubjects {
    private PlatformSubjects() {
    }

    /** One manifest an attestation is about: its digest, and its platform (null for an index or a lone image). */
    public record Subject(Digest digest, Platform platform) {
        public Subject {
            Objects.requireNonNull(digest);
        }

        /** How messages name it: the platform, or "index" / "image". */
        public String label(boolean ofIndex) {
            return platform != null ? platform.toString() : ofIndex ? "index" : "image";
        }
    }

    /** The subjects chosen, and whether the reference named an index (whose digest describes no filesystem). */
    public record Selection(boolean index, List<Subject> subjects) {
        public Selection {
            subjects = List.copyOf(subjects);
        }

        public String label(Subject s) {
            return s.label(index);
        }
    }

    /**
     * The subjects: with {@code platform}, that platform's manifest of the index (an exact variant preferred);
     * with {@code allPlatforms}, every platform manifest (attestation manifests left out) and, with
     * {@code withIndex}, the index after them; otherwise the manifest the reference names. An image that is no
     * index is its own single subject with {@code allPlatforms}; with {@code platform} it is refused, as is a
     * platform the index does not list.
     */
    public static Selection select(RegistryClient client, ImageReference ref, Platform platform,
                                   boolean allPlatforms, boolean withIndex) throws IOException, AttestException {
        List<ImageSignatures.PlatformManifest> all = ImageSignatures.platformManifests(client, ref);
        Digest top = all.get(0).digest();
        List<ImageSignatures.PlatformManifest> platforms = all.subList(1, all.size());
        boolean index = !platforms.isEmpty();
        if (platform != null) {
            if (!index) {
                throw new AttestException(ref.repository() + "@" + top + " is a single image, not a multi-platform "
                        + "index: drop --platform " + platform);
            }
            ImageSignatures.PlatformManifest match = null;
            for (ImageSignatures.PlatformManifest m : platforms) {
                if (m.platform() != null && platform.matches(m.platform())
                        && (match == null || platform.matchesExactly(m.platform()))) {
                    match = match != null && platform.matchesExactly(match.platform()) ? match : m;
                }
            }
            if (match == null) {
                throw new AttestException("the index " + ref.repository() + "@" + top + " has no " + platform
                        + " manifest (it has " + String.join(", ", platforms.stream().map(m -> String.valueOf(
                        m.platform())).toList()) + ")");
            }
            return new Selection(true, List.of(new Subject(match.digest(), match.platform())));
        }
        if (!allPlatforms || !index) {
            return new Selection(index, List.of(new Subject(top, null)));
        }
        List<Subject> out = new ArrayList<>();
        platforms.forEach(m -> out.add(new Subject(m.digest(), m.platform())));
        if (withIndex) {
            out.add(new Subject(top, null));
        }
        return new Selection(true, out);
    }

    /** What the check of one subject found: how many attestations verified, or why none did. */
    public record Outcome(Subject subject, int verified, String failure) {
        public boolean passed() {
            return failure == null;
        }
    }

    /**
     * Verifies the attestations of {@code predicateType} about each subject, every one on its own: one subject
     * failing does not stop the others being checked. {@code record} receives every attestation considered.
     */
    public static List<Outcome> verify(RegistryClient client, ImageReference ref, Selection selection,
                                       ImageVerifier verifier, String predicateType,
                                       List<ImageAttestations.Attempt> record) throws IOException, AttestException {
        List<Outcome> out = new ArrayList<>();
        for (Subject s : selection.subjects()) {
            try {
                int n = ImageAttestations.verify(client, ref.withDigest(s.digest()), verifier.attestations(),
                        verifier.by(), predicateType, record).size();
                out.add(new Outcome(s, n, null));
            } catch (VerificationException e) {
                out.add(new Outcome(s, 0, e.getMessage()));
            }
        }
        return out;
    }
}
