package dev.distill.sbom.model;

import java.util.List;
import java.util.Map;

/**
 * One package found in the image.
 *
 * @param id stable, derived from content (the purl, disambiguated by database path when needed)
 * @param type the ecosystem: deb, apk, rpm, ...
 * @param license an SPDX license expression, or null when none is declared
 * @param supplier who distributes it (a maintainer or vendor), as written
 * @param foundBy the cataloger's name
 * @param dbPath the file the package was read from
 * @param layer the layer in which this name and version first appear in that database, or null
 * @param hashes the digests of the artifact the package is (an archive or binary distill read), or null
 * @param properties extra facts, sorted by key (e.g. {@code dpkg:source}); {@link #DOWNLOAD_LOCATION} is the one
 *                   every format has a field for
 */
public record Package(String id, String name, String version, String type, String purl, List<String> cpes,
                      String license, String supplier, String architecture, String description, String foundBy,
                      String dbPath, LayerInfo layer, Hashes hashes, List<PackageFile> files,
                      Map<String, String> properties) {
    /** The property that holds where the package's source can be downloaded from (SPDX's downloadLocation). */
    public static final String DOWNLOAD_LOCATION = "downloadLocation";

    public Package {
        cpes = List.copyOf(cpes);
        files = List.copyOf(files);
        properties = Map.copyOf(properties);
    }
}
