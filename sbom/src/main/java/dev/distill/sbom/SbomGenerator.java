package dev.distill.sbom;

import dev.distill.oci.Image;
import dev.distill.oci.ImageException;
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

/** The front door of SBOM generation: one walk of the image, every cataloger, a sorted {@link Sbom}. */
public final class SbomGenerator {
    private SbomGenerator() {
    }

    public static Sbom generate(Image image, SbomOptions options) throws IOException {
        List<Cataloger> catalogers = Catalogers.all();
        TreeOptions treeOptions = TreeOptions.defaults().withScope(options.scope()).withLimits(options.limits())
                .withCaptureGlobs(Catalogers.globs(catalogers)).withDigestFiles(true);
        try (FileTree tree = FileTreeBuilder.build(image, treeOptions)) {
            List<LayerInfo> layers = new ArrayList<>();
            for (LayerSummary l : tree.layers()) {
                layers.add(new LayerInfo(l.index(), str(l.digest()), str(l.diffId())));
            }
            CatalogContext ctx = new CatalogContext(tree, layers);
            for (Cataloger c : catalogers) {
                try {
                    c.catalog(ctx);
                } catch (ImageException e) {
                    ctx.unknown("/", c.name(), e.getMessage());
                }
            }
            List<Package> packages = new ArrayList<>(ctx.packages());
            packages.sort(Comparator.comparing(Package::type).thenComparing(Package::name)
                    .thenComparing(Package::version).thenComparing(Package::id));
            List<Relationship> relationships = new ArrayList<>(new TreeSet<>(ctx.relationships()));
            List<Unknown> unknowns = new ArrayList<>(ctx.unknowns());
            unknowns.sort(Comparator.comparing(Unknown::path).thenComparing(Unknown::cataloger)
                    .thenComparing(Unknown::message));
            return new Sbom(source(image, layers), ctx.distro(), packages, relationships, unknowns, options.tool(),
                    timestamp(image, options));
        }
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
