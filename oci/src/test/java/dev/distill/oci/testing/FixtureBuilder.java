package dev.distill.oci.testing;

import dev.distill.oci.Compression;
import dev.distill.oci.Platform;
import dev.distill.oci.testing.ImageBuilder.BuiltImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Assembles the committed fixture images from the root filesystems that {@code fixtures/build.sh} staged out of
 * Debian packages. Run through that script, never by hand.
 */
public final class FixtureBuilder {
    private FixtureBuilder() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2 && args.length != 3) {
            throw new IllegalArgumentException("usage: FixtureBuilder STAGING_DIR FIXTURES_DIR [apko-wolfi]");
        }
        Path staging = Path.of(args[0]);
        Path out = Path.of(args[1]);
        apko(staging, out);
        if (args.length == 3) {
            return; // build.sh apko-wolfi: that fixture alone
        }

        BuiltImage distroless = new ImageBuilder()
                .layer(layer(staging.resolve("distroless/l1"), Compression.GZIP))
                .layer(layer(staging.resolve("distroless/l2"), Compression.GZIP))
                .user("65532")
                .env("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt")
                .build();
        replace(out.resolve("distroless-base"));
        new LayoutWriter().add(distroless, "latest").writeDirectory(out.resolve("distroless-base"));

        BuiltImage layered = new ImageBuilder()
                .layer(layer(staging.resolve("layered/l1"), Compression.GZIP))
                .layer(layer(staging.resolve("layered/l2"), Compression.ZSTD))
                // An entry written through the /lib -> usr/lib symlink of layer 1 lands in /usr/lib/distill.
                .layer(new LayerBuilder().tree(staging.resolve("layered/l3"), "")
                        .file("lib/distill/through-symlink", "placed through a symlinked directory\n")
                        .build(Compression.NONE))
                .entrypoint("/usr/bin/hostname")
                .build();
        replace(out.resolve("layered"));
        new LayoutWriter().add(layered, "latest").writeDirectory(out.resolve("layered"));
        new LayoutWriter().add(layered, "latest").writeArchive(out.resolve("layered.oci.tar"));
        DockerArchiveWriter.write(out.resolve("layered.docker.tar"), layered, "distill/layered:latest");

        BuiltImage lang = new ImageBuilder()
                .layer(layer(staging.resolve("lang/l1"), Compression.GZIP))
                .layer(layer(staging.resolve("lang/l2"), Compression.GZIP))
                .layer(layer(staging.resolve("lang/l3"), Compression.ZSTD))
                .entrypoint("/usr/local/bin/hello")
                .build();
        replace(out.resolve("lang-apps"));
        new LayoutWriter().add(lang, "latest").writeDirectory(out.resolve("lang-apps"));

        BuiltImage rpm = new ImageBuilder()
                .layer(layer(staging.resolve("rpm/l1"), Compression.GZIP))
                .layer(layer(staging.resolve("rpm/l2"), Compression.GZIP))
                .entrypoint("/usr/bin/distill-hello")
                .build();
        replace(out.resolve("rpm-sqlite"));
        new LayoutWriter().add(rpm, "latest").writeDirectory(out.resolve("rpm-sqlite"));

        BuiltImage amd64 = new ImageBuilder()
                .layer(layer(staging.resolve("multi/amd64"), Compression.GZIP))
                .platform(Platform.parse("linux/amd64"))
                .build();
        BuiltImage arm64 = new ImageBuilder()
                .layer(layer(staging.resolve("multi/arm64"), Compression.GZIP))
                .platform(Platform.parse("linux/arm64/v8"))
                .build();
        replace(out.resolve("multi-platform"));
        LayoutWriter multi = new LayoutWriter();
        multi.addIndex(List.of(amd64, arm64), "latest");
        multi.writeDirectory(out.resolve("multi-platform"));
    }

    /** Two layers as apko lays them out: base packages, then the rest with the rewritten database. */
    private static void apko(Path staging, Path out) throws IOException {
        BuiltImage apko = new ImageBuilder()
                .layer(layer(staging.resolve("apko/l1"), Compression.GZIP))
                .layer(layer(staging.resolve("apko/l2"), Compression.GZIP))
                .user("65532")
                .entrypoint("/usr/bin/sh")
                .build();
        replace(out.resolve("apko-wolfi"));
        new LayoutWriter().add(apko, "latest").writeDirectory(out.resolve("apko-wolfi"));
    }

    private static LayerBuilder.BuiltLayer layer(Path root, Compression c) throws IOException {
        return new LayerBuilder().tree(root, "").build(c);
    }

    private static void replace(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
