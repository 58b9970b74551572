package dev.distill.sbom.format;

import java.util.Map;

/**
 * The ecosystem of a package read from a document, as the model names it (purl types: deb, apk, maven…). The
 * purl says it when there is one; without one, what the writing tool recorded: distill's own ids
 * ({@code cargo:greeting@0.2.0}, {@code SPDXRef-Package-cargo-greeting-…}), syft's package type (property
 * {@code syft:package:type}, or the type inside its SPDX ids) and trivy's ({@code aquasecurity:trivy:PkgType},
 * or the {@code PkgType:} annotation). Only when none says is it "unknown".
 */
final class PackageTypes {
    static final String UNKNOWN = "unknown";
    private static final java.util.regex.Pattern OCI_DIGEST =
            java.util.regex.Pattern.compile("@(sha256|sha512)(?::|%3[Aa])([a-f0-9]{64,128})(?:[?#]|$)");

    /** syft's and trivy's names for package types, to purl types; names that are purl types already pass. */
    private static final Map<String, String> TOOL_TYPES = Map.ofEntries(
            // syft
            Map.entry("java-archive", "maven"), Map.entry("jenkins-plugin", "maven"), Map.entry("go-module", "golang"),
            Map.entry("rust-crate", "cargo"), Map.entry("python", "pypi"), Map.entry("dotnet", "nuget"),
            Map.entry("php-composer", "composer"), Map.entry("dart-pub", "pub"), Map.entry("lua-rocks", "luarocks"),
            Map.entry("erlang-otp", "otp"), Map.entry("hackage", "hackage"), Map.entry("gem", "gem"),
            // trivy
            Map.entry("jar", "maven"), Map.entry("pom", "maven"), Map.entry("gradle", "maven"),
            Map.entry("sbt", "maven"), Map.entry("debian", "deb"), Map.entry("ubuntu", "deb"),
            Map.entry("alpine", "apk"), Map.entry("wolfi", "apk"), Map.entry("chainguard", "apk"),
            Map.entry("redhat", "rpm"), Map.entry("centos", "rpm"), Map.entry("rocky", "rpm"),
            Map.entry("alma", "rpm"), Map.entry("amazon", "rpm"), Map.entry("fedora", "rpm"),
            Map.entry("oracle", "rpm"), Map.entry("photon", "rpm"), Map.entry("suse", "rpm"),
            Map.entry("opensuse", "rpm"), Map.entry("gobinary", "golang"), Map.entry("gomod", "golang"),
            Map.entry("rustbinary", "cargo"), Map.entry("node-pkg", "npm"), Map.entry("yarn", "npm"),
            Map.entry("pnpm", "npm"), Map.entry("python-pkg", "pypi"), Map.entry("pip", "pypi"),
            Map.entry("pipenv", "pypi"), Map.entry("poetry", "pypi"), Map.entry("uv", "pypi"),
            Map.entry("gemspec", "gem"), Map.entry("bundler", "gem"), Map.entry("nuget", "nuget"),
            Map.entry("dotnet-core", "nuget"), Map.entry("packages-props", "nuget"),
            Map.entry("conan", "conan"), Map.entry("cocoapods", "cocoapods"), Map.entry("swift", "swift"),
            Map.entry("pub", "pub"), Map.entry("hex", "hex"), Map.entry("mix-lock", "hex"),
            // the model's own types
            Map.entry("deb", "deb"), Map.entry("apk", "apk"), Map.entry("rpm", "rpm"), Map.entry("maven", "maven"),
            Map.entry("npm", "npm"), Map.entry("pypi", "pypi"), Map.entry("golang", "golang"),
            Map.entry("cargo", "cargo"), Map.entry("jvm", "jvm"), Map.entry("composer", "composer"));

    private PackageTypes() {
    }

    /** The type a purl names, or null. */
    static String ofPurl(String purl) {
        return purl != null && purl.startsWith("pkg:") && purl.indexOf('/') > 4
                ? purl.substring(4, purl.indexOf('/')).toLowerCase(java.util.Locale.ROOT) : null;
    }

    /** A tool's type name as a model type, or null when it is not one we know. */
    static String ofToolType(String toolType) {
        return toolType == null ? null : TOOL_TYPES.get(toolType.strip().toLowerCase(java.util.Locale.ROOT));
    }

    /** The type in an id distill gives a package without purl ({@code TYPE:NAME@VERSION}), or null. */
    static String ofModelId(String id, String name, String version) {
        String tail = ":" + name + "@" + version;
        if (id == null || !id.endsWith(tail) || id.length() == tail.length()) {
            return null;
        }
        return ofToolType(id.substring(0, id.length() - tail.length()));
    }

    /**
     * The type inside an SPDX 2 package id that distill ({@code SPDXRef-Package-TYPE-NAME-HASH}) or syft (the same
     * shape, with its own type names) wrote, or null.
     */
    static String ofSpdxId(String spdxId, String name) {
        String prefix = "SPDXRef-Package-";
        if (spdxId == null || !spdxId.startsWith(prefix)) {
            return null;
        }
        String rest = spdxId.substring(prefix.length());
        int at = rest.lastIndexOf("-" + SpdxIds.clean(name) + "-");
        return at <= 0 ? null : ofToolType(rest.substring(0, at));
    }

    /** The image digest a {@code pkg:oci} purl's version names (trivy's subject has no other), or null. */
    static String digestOfOciPurl(String purl) {
        if (purl == null || !purl.startsWith("pkg:oci/")) {
            return null;
        }
        java.util.regex.Matcher m = OCI_DIGEST.matcher(purl);
        return m.find() ? m.group(1) + ":" + m.group(2) : null;
    }

    /** The model's id of a package without purl, as catalogers make it. */
    static String modelId(String type, String name, String version) {
        return type + ":" + name + "@" + version;
    }
}
