package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code distill diff} end to end: fixture images, two versions of a root filesystem, SBOM files, exit codes. */
class DiffCommandTest {
    private static final String BASE = "../fixtures/distroless-base";
    private static final String APPS = "../fixtures/lang-apps";

    @TempDir
    Path tmp;

    private static MainTest.Result run(String... args) {
        return SbomCommandTest.run(Map.of(), args);
    }

    @Test
    void twoFixtureImagesGiveTheGoldenTableAndJson() {
        MainTest.Result text = run("diff", BASE, APPS);
        assertEquals(0, text.code(), text.err());
        Golden.assertMatches("diff-distroless-base-lang-apps.text", text.out());
        MainTest.Result json = run("diff", BASE, APPS, "-o", "json");
        assertEquals(0, json.code(), json.err());
        Golden.assertMatches("diff-distroless-base-lang-apps.json", json.out());
        assertEquals(text.out(), run("diff", BASE, APPS).out(), "the same inputs give the same bytes");
    }

    /** One image read from two media (an OCI layout and a docker archive) has nothing that changed. */
    @Test
    void theSameImageFromTwoMediaHasNoChange() throws Exception {
        MainTest.Result r = run("diff", "../fixtures/layered", "../fixtures/layered.docker.tar", "-o", "json",
                "--fail-on", "added,removed,changed");
        assertEquals(0, r.code(), r.err());
        com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(r.out());
        assertEquals(0, doc.path("summary").path("added").asInt(-1));
        assertEquals(0, doc.path("summary").path("removed").asInt(-1));
        assertEquals(0, doc.path("summary").path("changed").asInt(-1));
        assertTrue(doc.path("summary").path("unchanged").asInt() > 0, r.out());
    }

    /** A second version of a root: libc6 upgraded, wget replaced by curl; --fail-on gates on each kind. */
    @Test
    void aChangedDpkgStatusIsReportedAndGated() throws IOException {
        String old = "dir:" + root("old", "libc6 2.36-9+deb12u4 amd64", "tzdata 2024a-0+deb12u1 all",
                "wget 1.21.3-1+b2 amd64");
        String now = "dir:" + root("new", "libc6 2.36-9+deb12u10 amd64", "tzdata 2024a-0+deb12u1 all",
                "curl 7.88.1-10+deb12u12 amd64");
        MainTest.Result r = run("diff", old, now);
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("1 added, 1 removed, 1 changed, 1 unchanged", lines.get(2));
        assertEquals(List.of("CHANGE   TYPE  NAME   OLD             NEW                 DETAIL",
                "added    deb   curl                   7.88.1-10+deb12u12",
                "removed  deb   wget   1.21.3-1+b2",
                "changed  deb   libc6  2.36-9+deb12u4  2.36-9+deb12u10"), lines.subList(4, lines.size()));
        for (String kind : List.of("added", "removed", "changed")) {
            MainTest.Result gated = run("diff", old, now, "--fail-on", kind);
            assertEquals(1, gated.code(), kind);
            assertEquals("distill: diff failed: packages " + kind + "\n", gated.err());
        }
        MainTest.Result same = run("diff", old, old, "--fail-on", "added,removed,changed");
        assertEquals(0, same.code(), same.err());
        assertTrue(same.out().contains("0 added, 0 removed, 0 changed, 3 unchanged"), same.out());
    }

    /** SBOM files written by 'distill sbom' in two formats diff as their images do. */
    @Test
    void sbomFilesInAnyFormatDiffLikeTheirImages() {
        Path spdx = tmp.resolve("base.spdx.json");
        Path cdx = tmp.resolve("apps.cdx.xml");
        assertEquals(0, run("sbom", BASE, "-o", "spdx-json=" + spdx).code());
        assertEquals(0, run("sbom", APPS, "-o", "cyclonedx-xml=" + cdx).code());
        MainTest.Result files = run("diff", spdx.toString(), "sbom:" + cdx);
        assertEquals(0, files.code(), files.err());
        MainTest.Result images = run("diff", BASE, APPS);
        assertEquals(images.out().lines().skip(2).toList(), files.out().lines().skip(2).toList());
    }

    @Test
    void badUsageAndUnreadableInputsAreNamed() throws IOException {
        MainTest.Result kind = run("diff", BASE, APPS, "--fail-on", "upgraded");
        assertEquals(2, kind.code());
        assertTrue(kind.err().contains("unknown kind 'upgraded' for --fail-on (added, removed, changed)"), kind.err());
        MainTest.Result format = run("diff", BASE, APPS, "-o", "sarif");
        assertEquals(2, format.code());
        assertTrue(format.err().contains("unknown output format 'sarif' (text or json)"), format.err());
        MainTest.Result missing = run("diff", "sbom:" + tmp.resolve("gone.json"), APPS);
        assertEquals(3, missing.code());
        assertTrue(missing.err().startsWith("distill: error: no such file: "), missing.err());
        Path junk = Files.writeString(tmp.resolve("junk.json"), "{\"hello\": 1}");
        MainTest.Result bad = run("diff", junk.toString(), APPS);
        assertEquals(3, bad.code());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertTrue(bad.err().contains("junk.json: JSON, but neither SPDX"), bad.err());
    }

    /** A Debian root: os-release and a dpkg status database of "NAME VERSION ARCH" packages. */
    private Path root(String name, String... packages) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/os-release"), "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n");
        StringBuilder status = new StringBuilder();
        for (String p : packages) {
            String[] f = p.split(" ");
            status.append("Package: ").append(f[0]).append("\nStatus: install ok installed\nArchitecture: ")
                    .append(f[2]).append("\nVersion: ").append(f[1])
                    .append("\nMaintainer: Debian <debian@example.org>\nDescription: ").append(f[0]).append("\n\n");
        }
        Files.createDirectories(dir.resolve("var/lib/dpkg/info"));
        Files.writeString(dir.resolve("var/lib/dpkg/status"), status.toString());
        return dir;
    }
}
