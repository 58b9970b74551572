package dev.distill.sbom.catalog.apk;

import dev.distill.sbom.catalog.PackageBuilder;
import dev.distill.sbom.model.LicenseExpressions;
import dev.distill.sbom.model.Package;

/**
 * What melange's SPDX document of one apk package says about it: the described package and, when the document
 * has one, the upstream source it was generated from. Never a package of its own: it only adds to the package the
 * apk database lists.
 *
 * @param path the document in the image
 * @param license the described package's declared license, or null
 * @param supplier the described package's supplier without the SPDX {@code Organization: } prefix, or null
 * @param downloadLocation where the upstream source came from (the source package's location, else the
 *                         described package's), or null
 * @param sourcePurl the purl of the upstream source, or null
 */
record MelangeSbom(String path, String name, String version, String license, String supplier,
                   String downloadLocation, String sourcePurl) {

    /** Adds what the apk database lacks; a license that differs from the database's is kept beside it. */
    void enrich(PackageBuilder b, String apkLicense) {
        b.property("melange:sbom", path);
        b.property(Package.DOWNLOAD_LOCATION, downloadLocation);
        b.property("melange:sourcePurl", sourcePurl);
        if (license != null && apkLicense != null && !apkLicense.isBlank()
                && !LicenseExpressions.canonical(license).equals(LicenseExpressions.canonical(apkLicense))) {
            b.property("melange:licenseDeclared", LicenseExpressions.canonical(license));
        }
    }
}
