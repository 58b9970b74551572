package dev.distill.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.distill.oci.ImageConfig;
import dev.distill.oci.Digest;
import dev.distill.oci.Image;
import dev.distill.sbom.tree.FileTree;
import dev.distill.sbom.tree.LayerSummary;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What {@code distill inspect} reports, as one value that prints as text or serialises as JSON. */
@JsonInclude(JsonInclude.Include.ALWAYS)
record ImageReport(String reference, String source, List<String> tags, String manifestDigest,
                   String manifestMediaType, String platform, String configDigest, String created, String user,
                   List<String> entrypoint, List<String> cmd, List<LayerRow> layers, long files, long entries) {

    record LayerRow(int number, String digest, String diffId, String mediaType, String compression,
                    long compressedSize, long uncompressedSize, long entries) {
    }

    static ImageReport of(Image img, FileTree tree) {
        ImageConfig config = img.config();
        List<LayerRow> rows = new ArrayList<>();
        for (LayerSummary l : tree.layers()) {
            rows.add(new LayerRow(l.index() + 1, str(l.digest()), str(l.diffId()), l.mediaType(),
                    l.compression().name().toLowerCase(Locale.ROOT), l.compressedSize(), l.uncompressedSize(),
                    l.entries()));
        }
        return new ImageReport(img.reference(), img.kind().prefix(), img.repoTags(), str(img.manifestDigest()),
                img.manifestMediaType(), img.platform() == null ? null : img.platform().toString(),
                img.configDescriptor() == null ? null : str(img.configDescriptor().digest()),
                config == null ? null : config.created(),
                config == null ? null : config.user(),
                config == null ? null : config.entrypoint(),
                config == null ? null : config.cmd(),
                rows, tree.fileCount(), tree.entries().size());
    }

    private static String str(Digest d) {
        return d == null ? null : d.toString();
    }

    void printText(PrintWriter out) {
        line(out, "Reference", reference);
        line(out, "Source", source);
        if (!tags.isEmpty()) {
            line(out, "Tags", String.join(", ", tags));
        }
        line(out, "Manifest", manifestDigest == null ? "(none in this medium)" : manifestDigest);
        if (manifestMediaType != null) {
            line(out, "Media type", manifestMediaType);
        }
        if (configDigest != null) {
            line(out, "Platform", platform == null ? "(not declared)" : platform);
            line(out, "Config", configDigest);
            line(out, "Created", created == null ? "(not set)" : created);
            line(out, "User", user == null || user.isEmpty() ? "(not set: root)" : user);
            line(out, "Entrypoint", entrypoint == null ? "(none)" : String.join(" ", entrypoint));
            line(out, "Cmd", cmd == null ? "(none)" : String.join(" ", cmd));
            line(out, "Layers", Integer.toString(layers.size()));
            out.printf("  %-3s %-71s %-11s %10s %12s %8s%n", "#", "DIGEST", "COMPRESSION", "COMPRESSED",
                    "UNCOMPRESSED", "ENTRIES");
            for (LayerRow r : layers) {
                out.printf("  %-3d %-71s %-11s %10s %12s %8d%n", r.number(), r.digest() == null ? r.diffId()
                        : r.digest(), r.compression(), human(r.compressedSize()), human(r.uncompressedSize()),
                        r.entries());
            }
        }
        line(out, "Files", files + " regular files, " + entries + " entries");
    }

    private static void line(PrintWriter out, String key, String value) {
        out.printf("%-12s %s%n", key + ":", value);
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
