package dev.distill.sbom.diff;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import dev.distill.oci.Image;
import dev.distill.oci.ImageSources;
import dev.distill.oci.SourceOptions;
import dev.distill.sbom.SbomGenerator;
import dev.distill.sbom.SbomOptions;
import dev.distill.sbom.format.SbomReader;
import dev.distill.sbom.model.LayerInfo;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Sbom;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What changed between two SBOMs: packages added, removed and changed (version, license, layer). Packages are the
 * same package when their purl without version (type, namespace, name and the {@code arch} qualifier) is the same,
 * or, without purl, their type, name and architecture; within one such name, equal versions pair up first, and a
 * name with one version left on each side changed version. Everything is sorted, so equal inputs give equal reports.
 */
public final class SbomDiff {
    /** An input that names an SBOM document rather than an image, whatever its content. */
    public static final String SBOM_PREFIX = "sbom:";
    private static final long MAX_DOCUMENT = 1L << 30;

    private SbomDiff() {
    }

    /**
     * The SBOM an input names: an SBOM document (any format {@code convert} reads; {@code sbom:FILE}, or a file that
     * starts like one), else an image reference as {@code distill sbom} takes it.
     */
    public static Sbom load(String input, SourceOptions source, SbomOptions options) throws IOException {
        Path document = document(input);
        if (document != null) {
            if (Files.size(document) > MAX_DOCUMENT) {
                throw new dev.distill.sbom.format.SbomFormatException(input + " is larger than 1 GiB");
            }
            return SbomReader.read(Files.readAllBytes(document), input, Instant.EPOCH);
        }
        try (Image img = ImageSources.open(input, source)) {
            return SbomGenerator.generate(img, options);
        }
    }

    /** The file of an input that is an SBOM document, or null when the input is an image. */
    static Path document(String input) throws IOException {
        if (input.startsWith(SBOM_PREFIX)) {
            Path p = Path.of(input.substring(SBOM_PREFIX.length()));
            if (!Files.isRegularFile(p)) {
                throw new java.nio.file.NoSuchFileException(p.toString(), null, "no such SBOM document");
            }
            return p;
        }
        Path p;
        try {
            p = Path.of(input);
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
        if (!Files.isRegularFile(p)) {
            return null;
        }
        byte[] head = new byte[64];
        int n;
        try (InputStream in = Files.newInputStream(p)) {
            n = in.readNBytes(head, 0, head.length);
        }
        String start = new String(head, 0, n, StandardCharsets.UTF_8).replace("\uFEFF", "").stripLeading();
        // Image archives are tar files (an entry name first) or gzip; SBOM documents are JSON, XML or tag-value.
        return start.startsWith("{") || start.startsWith("<") || start.startsWith("SPDXVersion:") ? p : null;
    }

    /** The report of what changed from {@code before} to {@code after}. */
    public static DiffReport compare(String beforeLabel, Sbom before, String afterLabel, Sbom after) {
        Map<String, List<Package>> old = byKey(before);
        Map<String, List<Package>> now = byKey(after);
        TreeMap<String, Boolean> keys = new TreeMap<>();
        old.keySet().forEach(k -> keys.put(k, true));
        now.keySet().forEach(k -> keys.put(k, true));
        List<PackageChange> changes = new ArrayList<>();
        int unchanged = 0;
        for (String key : keys.keySet()) {
            List<Package> was = new ArrayList<>(old.getOrDefault(key, List.of()));
            List<Package> is = new ArrayList<>(now.getOrDefault(key, List.of()));
            // Equal versions first: one name installed in two versions stays matched version by version.
            for (Package w : List.copyOf(was)) {
                Package same = is.stream().filter(i -> i.version().equals(w.version())).findFirst().orElse(null);
                if (same != null) {
                    was.remove(w);
                    is.remove(same);
                    List<String> what = differences(w, same);
                    if (what.isEmpty()) {
                        unchanged++;
                    } else {
                        changes.add(new PackageChange(PackageChange.Kind.CHANGED, w, same, what));
                    }
                }
            }
            if (was.size() == 1 && is.size() == 1) {
                changes.add(new PackageChange(PackageChange.Kind.CHANGED, was.get(0), is.get(0),
                        differences(was.get(0), is.get(0))));
                continue;
            }
            was.forEach(w -> changes.add(new PackageChange(PackageChange.Kind.REMOVED, w, null, List.of())));
            is.forEach(i -> changes.add(new PackageChange(PackageChange.Kind.ADDED, null, i, List.of())));
        }
        changes.sort(Comparator.comparing((PackageChange c) -> c.kind().ordinal())
                .thenComparing(c -> c.current().type()).thenComparing(c -> c.current().name())
                .thenComparing(c -> key(c.current())).thenComparing(c -> c.current().version())
                .thenComparing(c -> c.before() == null ? "" : c.before().version()));
        return new DiffReport(new DiffReport.Side(beforeLabel, before.source().digest(), before.packages().size()),
                new DiffReport.Side(afterLabel, after.source().digest(), after.packages().size()), changes, unchanged);
    }

    private static List<String> differences(Package a, Package b) {
        List<String> out = new ArrayList<>();
        if (!a.version().equals(b.version())) {
            out.add("version");
        }
        if (!Objects.equals(a.license(), b.license())) {
            out.add("license");
        }
        // A layer is compared where both documents say it (a CycloneDX or SPDX document read back may not).
        if (a.layer() != null && b.layer() != null && layerNumber(a.layer()) != layerNumber(b.layer())) {
            out.add("layer");
        }
        return out;
    }

    /** The 1-based number of the layer, as tables and documents show it. */
    static int layerNumber(LayerInfo l) {
        return l.index() + 1;
    }

    private static Map<String, List<Package>> byKey(Sbom sbom) {
        Map<String, List<Package>> out = new TreeMap<>();
        for (Package p : sbom.packages()) {
            out.computeIfAbsent(key(p), k -> new ArrayList<>()).add(p);
        }
        out.values().forEach(l -> l.sort(Comparator.comparing(Package::version).thenComparing(Package::id)));
        return out;
    }

    /** What makes two packages the same package in two SBOMs: the purl without version, else type and name. */
    static String key(Package p) {
        if (p.purl() != null) {
            try {
                PackageURL u = new PackageURL(p.purl());
                String arch = u.getQualifiers() == null ? null : u.getQualifiers().get("arch");
                return "pkg:" + u.getType() + "/" + (u.getNamespace() == null ? "" : u.getNamespace() + "/")
                        + u.getName() + (arch == null ? "" : "?arch=" + arch);
            } catch (MalformedPackageURLException e) {
                // fall through: a purl we cannot read is no better than none
            }
        }
        return p.type().toLowerCase(Locale.ROOT) + ":" + p.name()
                + (p.architecture() == null ? "" : "?arch=" + p.architecture());
    }
}
