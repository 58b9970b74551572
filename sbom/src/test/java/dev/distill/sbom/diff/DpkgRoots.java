package dev.distill.sbom.diff;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Small Debian root filesystems (os-release, a dpkg status database, copyright files) for diff tests. */
final class DpkgRoots {
    private DpkgRoots() {
    }

    /**
     * A root at {@code dir}: {@code packages} maps name to "VERSION ARCH", {@code licenses} maps name to the
     * DEP-5 License of its copyright file.
     */
    static Path write(Path dir, Map<String, String> packages, Map<String, String> licenses) throws IOException {
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/os-release"), "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
                + "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n");
        StringBuilder status = new StringBuilder();
        for (Map.Entry<String, String> p : new java.util.TreeMap<>(packages).entrySet()) {
            String[] va = p.getValue().split(" ");
            status.append("Package: ").append(p.getKey()).append("\nStatus: install ok installed\nPriority: optional\n")
                    .append("Maintainer: Debian Maintainers <debian@example.org>\nArchitecture: ").append(va[1])
                    .append("\nVersion: ").append(va[0]).append("\nDescription: the ").append(p.getKey())
                    .append(" package\n\n");
        }
        Files.createDirectories(dir.resolve("var/lib/dpkg/info"));
        Files.writeString(dir.resolve("var/lib/dpkg/status"), status.toString());
        for (Map.Entry<String, String> l : licenses.entrySet()) {
            Path doc = dir.resolve("usr/share/doc").resolve(l.getKey());
            Files.createDirectories(doc);
            Files.writeString(doc.resolve("copyright"),
                    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
                            + "Files: *\nCopyright: 2020 Someone\nLicense: " + l.getValue() + "\n");
        }
        return dir;
    }
}
