package dev.distill.oci.registry;

import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.MediaTypes;
import dev.distill.oci.wire.DescriptorTemplate;
import dev.distill.oci.wire.Json;
import dev.distill.oci.wire.ManifestTemplate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OCI image manifest that carries content rather than a filesystem: cosign's signature and attestation
 * manifests, and referrers holding Sigstore bundles. {@link RegistryClient#pushArtifact} pushes its blobs, writes
 * the manifest and, when it has a subject, lists it among the subject's referrers.
 *
 * @param artifactType the manifest's {@code artifactType}; null for cosign's manifests, which have none
 * @param subject the manifest this one refers to; null for a manifest found by its tag
 * @param annotations the manifest's annotations, in the order given; null or empty for none (kept as null)
 */
public record Artifact(String artifactType, Blob config, List<Blob> layers, Descriptor subject,
                       Map<String, String> annotations) {
    public Artifact {
        layers = List.copyOf(layers);
        annotations = orNull(annotations);
    }

    /** The OCI image manifest's bytes: the same artifact always gives the same bytes. */
    public byte[] manifest() {
        return Json.write(new ManifestTemplate(2, MediaTypes.OCI_MANIFEST, artifactType, config.descriptor(),
                layers.stream().map(Blob::descriptor).toList(), subject == null ? null : new DescriptorTemplate(
                        subject.mediaType(), subject.digest().toString(), subject.size()),
                annotations));
    }

    /** Annotations as a manifest writes them: none at all rather than an empty object, the order kept. */
    static Map<String, String> orNull(Map<String, String> annotations) {
        return annotations == null || annotations.isEmpty() ? null
                : Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
    }

    /**
     * One blob of an artifact: how the manifest describes it (descriptor fields and annotations in the order they
     * are written), and its bytes when they are to be pushed; null bytes mean the repository has it already.
     */
    public record Blob(DescriptorTemplate descriptor, byte[] bytes) {
        /** A new blob, pushed with the manifest unless the repository has it. */
        public static Blob of(String mediaType, byte[] bytes, Map<String, String> annotations) {
            return new Blob(new DescriptorTemplate(mediaType, Digest.sha256(bytes).toString(), (long) bytes.length,
                    null, orNull(annotations), null, null), bytes);
        }

        /** A blob the repository has already, described as an earlier manifest described it. */
        public static Blob present(DescriptorTemplate descriptor) {
            return new Blob(descriptor, null);
        }
    }
}
