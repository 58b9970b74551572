package dev.distill.sbom.catalog;

import dev.distill.sbom.catalog.apk.ApkCataloger;
import dev.distill.sbom.catalog.dpkg.DpkgCataloger;
import dev.distill.sbom.catalog.golang.GoBinaryCataloger;
import dev.distill.sbom.catalog.java.JavaArchiveCataloger;
import dev.distill.sbom.catalog.npm.NpmCataloger;
import dev.distill.sbom.catalog.python.PythonCataloger;
import dev.distill.sbom.catalog.rust.RustBinaryCataloger;
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
                new RpmCataloger(),
                new JavaArchiveCataloger(),
                new PythonCataloger(),
                new NpmCataloger(),
                new GoBinaryCataloger(),
                new RustBinaryCataloger());
    }

    /** The content inspectors of all the given catalogers. */
    public static List<dev.distill.sbom.tree.ContentInspector> inspectors(List<Cataloger> catalogers) {
        // Catalogers may share an inspector (Go and Rust binaries share one); each runs once.
        java.util.Set<dev.distill.sbom.tree.ContentInspector> out = new java.util.LinkedHashSet<>();
        for (Cataloger c : catalogers) {
            out.addAll(c.inspectors());
        }
        return new ArrayList<>(out);
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
