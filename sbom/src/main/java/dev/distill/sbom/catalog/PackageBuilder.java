package dev.distill.sbom.catalog;

import dev.distill.sbom.model.Hashes;
import dev.distill.sbom.model.LayerInfo;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.PackageFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Collects a package's fields as a cataloger parses them; {@link #build()} makes the immutable value. */
public final class PackageBuilder {
    private final String type;
    private final String name;
    private final String version;
    private String purl;
    private final List<String> cpes = new ArrayList<>();
    private String license;
    private String supplier;
    private String architecture;
    private String description;
    private String foundBy;
    private String dbPath;
    private LayerInfo layer;
    private Hashes hashes;
    private List<PackageFile> files = List.of();
    private final Map<String, String> properties = new TreeMap<>();

    public PackageBuilder(String type, String name, String version) {
        this.type = type;
        this.name = name;
        this.version = version;
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    public PackageBuilder purl(String p) {
        this.purl = p;
        return this;
    }

    public PackageBuilder cpe(String c) {
        if (c != null) {
            cpes.add(c);
        }
        return this;
    }

    public PackageBuilder license(String spdxExpression) {
        this.license = dev.distill.sbom.model.LicenseExpressions.canonical(spdxExpression);
        return this;
    }

    public PackageBuilder supplier(String s) {
        this.supplier = s;
        return this;
    }

    public PackageBuilder architecture(String a) {
        this.architecture = a;
        return this;
    }

    public PackageBuilder description(String d) {
        this.description = d;
        return this;
    }

    public PackageBuilder foundBy(String cataloger, String path) {
        this.foundBy = cataloger;
        this.dbPath = path;
        return this;
    }

    public PackageBuilder layer(LayerInfo l) {
        this.layer = l;
        return this;
    }

    /** The digests of the archive or binary the package is. */
    public PackageBuilder hashes(String sha256, String sha1) {
        this.hashes = sha256 == null && sha1 == null ? null : new Hashes(sha256, sha1);
        return this;
    }

    public PackageBuilder files(List<PackageFile> f) {
        this.files = f;
        return this;
    }

    public PackageBuilder property(String key, String value) {
        if (value != null && !value.isEmpty()) {
            properties.put(key, value);
        }
        return this;
    }

    /** The package; its id is its purl, which catalogers make unique within one database. */
    public Package build() {
        String id = purl != null ? purl : type + ":" + name + "@" + version;
        return new Package(id, name, version, type, purl, cpes, license, supplier, architecture, description,
                foundBy, dbPath, layer, hashes, files, properties);
    }
}
