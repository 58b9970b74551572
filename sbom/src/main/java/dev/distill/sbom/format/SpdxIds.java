package dev.distill.sbom.format;

import dev.distill.oci.Digest;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Sbom;
import java.nio.charset.StandardCharsets;

/** SPDX element IDs and document namespaces derived from content: readable, unique, and stable across runs. */
final class SpdxIds {
    private SpdxIds() {
    }

    static String pkg(Package p) {
        return "SPDXRef-Package-" + p.type() + "-" + clean(p.name()) + "-" + shortHash(p.id());
    }

    static String file(String path) {
        return "SPDXRef-File-" + clean(path.substring(path.lastIndexOf('/') + 1)) + "-" + shortHash(path);
    }

    static String image(Sbom sbom) {
        return "SPDXRef-DocumentRoot-" + (sbom.source().digest() != null ? "Image-" : "Directory-")
                + clean(sbom.source().name());
    }

    /** An agent (a package's supplier) by name. */
    static String agent(String name) {
        return "Agent-" + clean(name) + "-" + shortHash(name);
    }

    static String os(Sbom sbom) {
        return "SPDXRef-OperatingSystem-" + clean(sbom.distro().qualifier());
    }

    /** A unique URI per document content; the host is reserved (.invalid) because nothing is served there. */
    static String namespace(Sbom sbom) {
        String kind = sbom.source().digest() != null ? "image" : "dir";
        return "https://distill.invalid/spdx/" + kind + "/" + clean(sbom.source().name()) + "-"
                + ContentIds.uuid(sbom);
    }

    /** SPDX IDs allow letters, digits, '.' and '-'. */
    static String clean(String s) {
        String c = s.replaceAll("[^A-Za-z0-9.-]+", "-").replaceAll("^-+|-+$", "");
        return c.isEmpty() ? "x" : c;
    }

    private static String shortHash(String s) {
        return Digest.sha256(s.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 8);
    }
}
