package dev.distill.sbom.catalog.golang;

import dev.distill.sbom.catalog.CatalogContext;
import dev.distill.sbom.catalog.Cataloger;
import dev.distill.sbom.catalog.PackageBuilder;
import dev.distill.sbom.catalog.binary.ExecutableInspector;
import dev.distill.sbom.catalog.Purls;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.PackageFile;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.tree.ContentInspector;
import dev.distill.sbom.tree.FileEntry;
import dev.distill.sbom.tree.InspectionFailure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Go binaries, from the build info the toolchain embeds: the main module, every dependency module with its
 * version and {@code h1:} sum (replacements applied), and the standard library as {@code pkg:golang/stdlib}.
 */
public final class GoBinaryCataloger implements Cataloger {
    private final ExecutableInspector inspector = ExecutableInspector.INSTANCE;

    @Override
    public String name() {
        return "go-binary";
    }

    @Override
    public Set<Tag> tags() {
        return Set.of(Tag.BINARY);
    }

    @Override
    public List<String> globs() {
        return List.of();
    }

    @Override
    public List<ContentInspector> inspectors() {
        return List.of(inspector);
    }

    /** One module line of the build info. */
    record Module(String path, String version, String sum) {
    }

    @Override
    public void catalog(CatalogContext ctx) {
        for (FileEntry e : ctx.tree().inspected()) {
            Optional<InspectionFailure> failure = ctx.tree().inspection(e, InspectionFailure.class);
            if (failure.isPresent() && failure.get().inspector().equals(inspector.getClass().getSimpleName())) {
                ctx.unknown(e.path(), name(), failure.get().message());
                continue;
            }
            Optional<ExecutableInspector.Found> found = ctx.tree().inspection(e, ExecutableInspector.Found.class);
            if (found.isEmpty() || found.get().goVersion() == null && found.get().goError() == null) {
                continue;
            }
            if (found.get().goError() != null) {
                ctx.unknown(e.path(), name(), found.get().goError());
                continue;
            }
            catalogBinary(ctx, e, found.get());
        }
    }

    private void catalogBinary(CatalogContext ctx, FileEntry binary, ExecutableInspector.Found info) {
        Module main = null;
        String mainPackage = null;
        Map<String, Module> deps = new LinkedHashMap<>();
        Map<String, String> settings = new LinkedHashMap<>();
        String lastDep = null;
        for (String line : info.goModinfo().split("\n")) {
            String[] f = line.split("\t");
            switch (f[0]) {
                case "mod" -> main = f.length >= 3 ? new Module(f[1], f[2], f.length > 3 ? f[3] : null) : null;
                case "dep" -> {
                    if (f.length >= 3) {
                        deps.put(f[1], new Module(f[1], f[2], f.length > 3 ? f[3] : null));
                        lastDep = f[1];
                    }
                }
                case "=>" -> {
                    if (lastDep != null && f.length >= 3) {
                        // a replacement: the code that was built is the replacement's
                        deps.put(lastDep, new Module(f[1], f[2], f.length > 3 ? f[3] : null));
                    }
                }
                case "build" -> {
                    int eq = f.length > 1 ? f[1].indexOf('=') : -1;
                    if (eq > 0) {
                        settings.put(f[1].substring(0, eq), f[1].substring(eq + 1));
                    }
                }
                case "path" -> mainPackage = f.length >= 2 ? f[1] : null;
                default -> {
                    // lines of later toolchains that carry nothing we report
                }
            }
        }
        List<PackageFile> file = List.of(new PackageFile(binary.path(), binary.sha256(), binary.sha1(), null));
        String goVersion = info.goVersion();
        Package stdlib = pkg(ctx, binary, "stdlib", goVersion, null, file, settings, false);
        List<Package> packages = new ArrayList<>();
        packages.add(stdlib);
        Package mainPkg = null;
        if (main == null && mainPackage != null) {
            // Built outside module mode (GOPATH, as Debian builds): the main package is all there is.
            main = new Module(mainPackage, "(devel)", null);
        }
        if (main != null) {
            String version = main.version().equals("(devel)") ? settings.get("vcs.revision") : main.version();
            mainPkg = pkg(ctx, binary, main.path(), version == null ? "(devel)" : version, main.sum(), file, settings,
                    true);
            packages.add(mainPkg);
        }
        for (Module m : deps.values()) {
            packages.add(pkg(ctx, binary, m.path(), m.version(), m.sum(), file, Map.of(), false));
        }
        for (Package p : packages) {
            ctx.add(p);
            if (mainPkg != null && p != mainPkg) {
                ctx.relate(new Relationship(mainPkg.id(), Relationship.Type.DEPENDS_ON, p.id()));
            }
        }
    }

    private Package pkg(CatalogContext ctx, FileEntry binary, String path, String version, String sum,
                        List<PackageFile> file, Map<String, String> settings, boolean isBinary) {
        String purlVersion = version == null || version.equals("(devel)") ? null : version;
        int slash = path.lastIndexOf('/');
        String namespace = slash > 0 ? path.substring(0, slash) : null;
        String name = slash > 0 ? path.substring(slash + 1) : path;
        PackageBuilder b = new PackageBuilder("golang", path, version == null ? "" : version)
                .purl(Purls.of("golang", namespace, name, purlVersion, Map.of()))
                .foundBy(name(), binary.path())
                .layer(ctx.layer(binary.layer()))
                .files(file)
                .hashes(isBinary ? binary.sha256() : null, isBinary ? binary.sha1() : null)
                .property("go:sum", sum)
                .property("go:compiler", path.equals("stdlib") ? null : settings.get("-compiler"))
                .property("go:arch", settings.get("GOARCH"))
                .property("go:os", settings.get("GOOS"));
        return b.build();
    }
}
