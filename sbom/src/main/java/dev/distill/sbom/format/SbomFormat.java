package dev.distill.sbom.format;

import java.util.Arrays;
import java.util.List;

/**
 * The output formats, by the names the CLI takes. CycloneDX takes a schema version after '@'
 * ({@code cyclonedx-json@1.7}, {@code @1.5}, {@code @1.4}); 1.6 is the default.
 */
public enum SbomFormat {
    SPDX_JSON("spdx-json"),
    SPDX_TAG_VALUE("spdx-tag-value"),
    SPDX3_JSON("spdx3-json"),
    CYCLONEDX_JSON("cyclonedx-json"),
    CYCLONEDX_XML("cyclonedx-xml"),
    TABLE("table");

    private final String id;

    SbomFormat(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(SbomFormat::id).toList();
    }

    /**
     * What an SBOM holds that a format (a name as {@link #writer} takes it) cannot carry, one line per kind of fact,
     * for {@code convert} to say once: SPDX has no package properties, CycloneDX no owned files. Empty when nothing
     * is lost; the table, being for people, is not counted.
     */
    public static List<String> notCarried(String name, dev.distill.sbom.model.Sbom sbom) {
        String id = name.contains("@") ? name.substring(0, name.indexOf('@')) : name;
        java.util.TreeSet<String> keys = new java.util.TreeSet<>();
        int withProperties = 0;
        int files = 0;
        int withFiles = 0;
        for (dev.distill.sbom.model.Package p : sbom.packages()) {
            java.util.Set<String> own = new java.util.TreeSet<>(p.properties().keySet());
            own.remove(dev.distill.sbom.model.Package.DOWNLOAD_LOCATION);
            if (!own.isEmpty()) {
                withProperties++;
                keys.addAll(own);
            }
            if (!p.files().isEmpty()) {
                withFiles++;
                files += p.files().size();
            }
        }
        if (id.startsWith("spdx") && withProperties > 0) {
            List<String> some = keys.stream().limit(3).toList();
            return List.of(name + " carries no package properties: " + withProperties + " package"
                    + (withProperties == 1 ? " has" : "s have") + " them (" + String.join(", ", some)
                    + (keys.size() > some.size() ? ", …" : "") + ")");
        }
        if (id.startsWith("cyclonedx") && files > 0) {
            return List.of(name + " carries no owned files: " + files + " file" + (files == 1 ? "" : "s") + " of "
                    + withFiles + " package" + (withFiles == 1 ? "" : "s") + " left out");
        }
        return List.of();
    }

    /** A format name with an optional {@code @version}; throws IllegalArgumentException naming the choices. */
    public static SbomWriter writer(String name) {
        int at = name.indexOf('@');
        String id = at < 0 ? name : name.substring(0, at);
        String version = at < 0 ? null : name.substring(at + 1);
        for (SbomFormat f : values()) {
            if (f.id.equals(id)) {
                if (version != null && f != CYCLONEDX_JSON && f != CYCLONEDX_XML) {
                    throw new IllegalArgumentException("format " + id + " takes no version");
                }
                return switch (f) {
                    case CYCLONEDX_JSON -> new CycloneDxWriter(version, false);
                    case CYCLONEDX_XML -> new CycloneDxWriter(version, true);
                    case TABLE -> new TableWriter();
                    case SPDX_JSON -> new SpdxWriter(SpdxWriter.Kind.JSON);
                    case SPDX_TAG_VALUE -> new SpdxWriter(SpdxWriter.Kind.TAG_VALUE);
                    case SPDX3_JSON -> new Spdx3Writer();
                };
            }
        }
        throw new IllegalArgumentException("unknown format '" + name + "' (one of " + String.join(", ", ids())
                + ")");
    }
}
