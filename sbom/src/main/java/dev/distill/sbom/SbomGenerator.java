package dev.distill.sbom;

import dev.distill.oci.Image;
import dev.distill.oci.ImageException;
import dev.distill.oci.ProgressEvent;
import dev.distill.sbom.catalog.CatalogContext;
import dev.distill.sbom.catalog.Cataloger;
import dev.distill.sbom.catalog.Catalogers;
import dev.distill.sbom.catalog.Purls;
import dev.distill.sbom.model.LayerInfo;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import dev.distill.sbom.model.SourceInfo;
import dev.distill.sbom.model.Unknown;
import dev.distill.sbom.tree.FileTree;
import dev.distill.sbom.tree.FileTreeBuilder;
import dev.distill.sbom.tree.LayerSummary;
import dev.distill.sbom.tree.TreeOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/** The front door of SBOM generation: one walk of the image, every cataloger, a sorted {@link Sbom}. */
public final class SbomGenerator {
    private SbomGenerator() {
    }

    public static Sbom generate(Image image, SbomOptions options) throws IOException {
        return generate(image, options, false, (sbom, tree) -> sbom);
    }

    /** What a caller makes of an SBOM and the tree it came from, while the tree is still open. */
    @FunctionalInterface
    public interface WithTree<T> {
        T apply(Sbom sbom, FileTree tree) throws IOException;
    }

    /**
     * Generates the SBOM and hands it, with its tree, to {@code then} (the audit reads both from one walk).
     *
     * @param recordShadowed keep what upper layers deleted or replaced in {@link FileTree#shadowed()}
     */
    public static <T> T generate(Image image, SbomOptions options, boolean recordShadowed, WithTree<T> then)
            throws IOException {
        return generate(image, options, recordShadowed, then, ProgressEvent.IGNORE);
    }

    /** As {@link #generate(Image, SbomOptions, boolean, WithTree)}, telling {@code progress} what it is doing. */
    public static <T> T generate(Image image, SbomOptions options, boolean recordShadowed, WithTree<T> then,
                                 Consumer<ProgressEvent> progress) throws IOException {
        List<Cataloger> catalogers = Catalogers.all();
        TreeOptions treeOptions = TreeOptions.defaults().withScope(options.scope()).withLimits(options.limits())
                .withCaptureGlobs(Catalogers.globs(catalogers)).withDigestFiles(true)
                .withInspectors(Catalogers.inspectors(catalogers)).withRecordShadowed(recordShadowed)
                .withLayerThreads(options.layerThreads());
        try (FileTree tree = FileTreeBuilder.build(image, treeOptions, progress)) {
            List<LayerInfo> layers = new ArrayList<>();
            for (LayerSummary l : tree.layers()) {
                layers.add(new LayerInfo(l.index(), str(l.digest()), str(l.diffId())));
            }
            CatalogContext ctx = new CatalogContext(tree, layers);
            for (int i = 0; i < catalogers.size(); i++) {
                Cataloger c = catalogers.get(i);
                progress.accept(new ProgressEvent.Step("cataloger", c.name(), i + 1, catalogers.size()));
                try {
                    c.catalog(ctx);
                } catch (ImageException e) {
                    ctx.unknown("/", c.name(), e.getMessage());
                } catch (RuntimeException e) {
                    // A cataloger's bug must not cost the whole SBOM: say which one failed, and keep the rest.
                    ctx.unknown("/", c.name(), "cataloger failed: " + e);
                }
            }
            List<Package> packages = merge(ctx.packages());
            packages.sort(Comparator.comparing(Package::type).thenComparing(Package::name)
                    .thenComparing(Package::version).thenComparing(Package::id));
            List<Relationship> found = new ArrayList<>(ctx.relationships());
            found.addAll(ownership(packages));
            List<Relationship> relationships = new ArrayList<>(new TreeSet<>(found));
            List<Unknown> unknowns = new ArrayList<>(ctx.unknowns());
            unknowns.sort(Comparator.comparing(Unknown::path).thenComparing(Unknown::cataloger)
                    .thenComparing(Unknown::message));
            return then.apply(new Sbom(source(image, layers), ctx.distro(), packages, relationships, unknowns,
                    options.tool(), timestamp(image, options)), tree);
        }
    }

    private static final java.util.Set<String> OS_TYPES = java.util.Set.of("deb", "apk", "rpm");

    /**
     * A language package whose metadata file, archive or binary (any of its locations) an OS package owns is
     * contained by that OS package: Debian's python3-requests contains pypi requests, so scanners can match either advisory source.
     */
    static List<Relationship> ownership(List<Package> packages) {
        Map<String, String> owner = new java.util.HashMap<>();
        for (Package p : packages) {
            if (OS_TYPES.contains(p.type())) {
                p.files().forEach(f -> owner.putIfAbsent(f.path(), p.id()));
            }
        }
        List<Relationship> out = new ArrayList<>();
        for (Package p : packages) {
            if (OS_TYPES.contains(p.type())) {
                continue;
            }
            List<String> paths = new ArrayList<>();
            paths.add(p.dbPath());
            p.files().forEach(f -> paths.add(f.path()));
            for (String path : paths) {
                if (path != null && owner.containsKey(path)) {
                    out.add(new Relationship(owner.get(path), Relationship.Type.CONTAINS, p.id()));
                }
            }
        }
        return out;
    }

    /**
     * One package per id: the same module found in two Go binaries, or the same jar under two paths, is one
     * component with every location's files. The first found keeps its other fields.
     */
    static List<Package> merge(List<Package> found) {
        Map<String, Package> byId = new java.util.LinkedHashMap<>();
        for (Package p : found) {
            Package seen = byId.get(p.id());
            if (seen == null) {
                byId.put(p.id(), p);
                continue;
            }
            Map<String, dev.distill.sbom.model.PackageFile> files = new TreeMap<>();
            seen.files().forEach(f -> files.put(f.path(), f));
            p.files().forEach(f -> files.putIfAbsent(f.path(), f));
            byId.put(p.id(), new Package(seen.id(), seen.name(), seen.version(), seen.type(), seen.purl(),
                    seen.cpes(), seen.license(), seen.supplier(), seen.architecture(), seen.description(),
                    seen.foundBy(), seen.dbPath(), seen.layer(), seen.hashes(), new ArrayList<>(files.values()),
                    seen.properties()));
        }
        return new ArrayList<>(byId.values());
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    /** SOURCE_DATE_EPOCH (passed in), else the image's own creation time, else now; whole seconds. */
    static Instant timestamp(Image image, SbomOptions options) {
        if (options.timestamp() != null) {
            return options.timestamp().truncatedTo(ChronoUnit.SECONDS);
        }
        if (image.config() != null && image.config().created() != null) {
            try {
                return Instant.parse(image.config().created()).truncatedTo(ChronoUnit.SECONDS);
            } catch (DateTimeParseException e) {
                // an unparseable creation time is not worth failing for: fall through to now
            }
        }
        return options.clock().instant().truncatedTo(ChronoUnit.SECONDS);
    }

    static SourceInfo source(Image image, List<LayerInfo> layers) {
        String repo = null;
        String tag = null;
        for (String t : image.repoTags()) {
            int colon = t.lastIndexOf(':');
            if (colon > 0 && t.indexOf('/', colon) < 0) {
                repo = t.substring(0, colon);
                tag = t.substring(colon + 1);
            } else {
                tag = t;
            }
            break;
        }
        String name = repo != null ? repo.substring(repo.lastIndexOf('/') + 1) : fileName(image.reference());
        String manifest = str(image.manifestDigest());
        String config = image.configDescriptor() == null ? null : str(image.configDescriptor().digest());
        String digest = manifest != null ? manifest : config;
        String purl = null;
        if (digest != null) {
            Map<String, String> q = new TreeMap<>();
            if (image.platform() != null) {
                q.put("arch", image.platform().architecture());
                q.put("os", image.platform().os());
            }
            q.put("tag", tag);
            q.put("repository_url", repo);
            purl = Purls.of("oci", null, name.toLowerCase(Locale.ROOT), digest, q);
        }
        return new SourceInfo(image.reference(), image.kind().prefix(), name, tag, manifest,
                image.manifestMediaType(), config, image.platform() == null ? null : image.platform().toString(),
                layers, purl);
    }

    /** A name for an image known only by its path: the last element, without archive extensions. */
    private static String fileName(String reference) {
        String r = reference.replaceFirst("^(oci|oci-archive|docker-archive|dir):", "");
        r = r.replaceFirst("[:@][^/]*$", "");
        Path p = Path.of(r).toAbsolutePath().normalize();
        String n = p.getFileName() == null ? "image" : p.getFileName().toString();
        return n.replaceFirst("(\\.oci|\\.docker)?\\.tar(\\.gz)?$", "");
    }
}
