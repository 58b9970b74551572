package dev.distill.sbom.format;

import dev.distill.oci.Digest;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Identifiers derived from an SBOM's content, never random: the same image and options give the same serial
 * number and namespace, and any change of content gives new ones.
 */
public final class ContentIds {
    private ContentIds() {
    }

    /**
     * SHA-256 over the image digest (or, for directories, the name), tool, time, packages and relationships. Not
     * over the reference (the same image read from another path or machine must get the same IDs), and only over
     * what every format carries, so that a converted document keeps its IDs.
     */
    public static String hash(Sbom sbom) {
        MessageDigest md = Digest.newSha256();
        update(md, sbom.source().digest() != null ? sbom.source().digest() : sbom.source().name());
        update(md, sbom.tool().name() + "@" + sbom.tool().version());
        update(md, sbom.created().toString());
        for (Package p : sbom.packages()) {
            update(md, p.id());
            update(md, p.license());
        }
        for (Relationship r : sbom.relationships()) {
            update(md, r.from() + " " + r.type() + " " + r.to());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** A name-based UUID of the content, for CycloneDX serial numbers. */
    public static UUID uuid(Sbom sbom) {
        return UUID.nameUUIDFromBytes(hash(sbom).getBytes(StandardCharsets.UTF_8));
    }

    private static void update(MessageDigest md, String s) {
        md.update((s == null ? "\u0000" : s).getBytes(StandardCharsets.UTF_8));
        md.update((byte) '\n');
    }
}
