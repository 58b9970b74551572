package dev.distill.sbom;

import dev.distill.oci.Image;
import dev.distill.oci.ImageSources;
import dev.distill.oci.SourceOptions;
import dev.distill.sbom.model.Sbom;
import dev.distill.sbom.model.ToolInfo;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** SBOMs of test images with a fixed tool version and clock, so outputs can be compared byte for byte. */
public final class SbomTesting {
    public static final ToolInfo TOOL = new ToolInfo("distill", "0.0.0-test");
    /** Every committed fixture image, for tests that hold each format to its rules on all of them. */
    public static final java.util.List<String> FIXTURES = java.util.List.of("distroless-base", "layered",
            "layered.docker.tar", "multi-platform", "rootfs-netbase", "rpm-sqlite", "lang-apps", "apko-wolfi");
    public static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC);

    private SbomTesting() {
    }

    /** The reference of a fixture: its path, with dir: for root filesystem directories. */
    public static String fixture(String name) {
        String path = dev.distill.oci.testing.Fixtures.path(name).toString();
        return name.startsWith("rootfs") ? "dir:" + path : path;
    }

    /** An SBOM rendered in a format. */
    public static byte[] render(Sbom sbom, String format) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        dev.distill.sbom.format.SbomFormat.writer(format).write(sbom, out);
        return out.toByteArray();
    }

    public static Sbom sbom(String reference) throws IOException {
        try (Image img = ImageSources.open(reference, SourceOptions.defaults())) {
            return SbomGenerator.generate(img, SbomOptions.defaults(TOOL).withClock(CLOCK));
        }
    }
}
