package dev.distill.sbom.catalog;

import dev.distill.sbom.catalog.apk.ApkCataloger;
import dev.distill.sbom.catalog.dpkg.DpkgCataloger;
import dev.distill.sbom.catalog.osrelease.OsReleaseCataloger;
import dev.distill.sbom.catalog.rpm.RpmCataloger;
import java.util.ArrayList;
import java.util.List;

/** Every cataloger, in one place and in the order they run (os-release first: purls need the distro). */
public final class Catalogers {
    private Catalogers() {
    }

    public static List<Cataloger> all() {
        return List.of(
                new OsReleaseCataloger(),
                new DpkgCataloger(),
                new ApkCataloger(),
                new RpmCataloger());
    }

    /** The globs of all the given catalogers. */
    public static List<String> globs(List<Cataloger> catalogers) {
        List<String> globs = new ArrayList<>();
        for (Cataloger c : catalogers) {
            globs.addAll(c.globs());
        }
        return globs;
    }
}
