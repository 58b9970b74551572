package dev.distill.sbom.catalog.rust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.sbom.catalog.CatalogContext;
import dev.distill.sbom.catalog.Cataloger;
import dev.distill.sbom.catalog.PackageBuilder;
import dev.distill.sbom.catalog.Purls;
import dev.distill.sbom.catalog.binary.ExecutableInspector;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.PackageFile;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.tree.ContentInspector;
import dev.distill.sbom.tree.FileEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Rust binaries built with cargo-auditable: the {@code .dep-v0} section's JSON lists every crate compiled in
 * (name, version, source, kind, dependencies by index, the root). Crates from crates.io get
 * {@code pkg:cargo/NAME@VERSION}; local and git crates carry no purl, as cargo gives them no registry identity.
 * Build-time crates (build scripts, proc macros) are listed but marked, since none of their code ships.
 */
public final class RustBinaryCataloger implements Cataloger {
    @Override
    public String name() {
        return "rust-binary";
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
        return List.of(ExecutableInspector.INSTANCE);
    }

    @Override
    public void catalog(CatalogContext ctx) {
        ObjectMapper mapper = new ObjectMapper();
        for (FileEntry e : ctx.tree().inspected()) {
            Optional<ExecutableInspector.Found> found = ctx.tree().inspection(e, ExecutableInspector.Found.class);
            if (found.isEmpty() || found.get().rustJson() == null && found.get().rustError() == null) {
                continue;
            }
            if (found.get().rustError() != null) {
                ctx.unknown(e.path(), name(), found.get().rustError());
                continue;
            }
            JsonNode packages;
            try {
                packages = mapper.readTree(found.get().rustJson()).path("packages");
            } catch (IOException ex) {
                ctx.unknown(e.path(), name(), "cargo-auditable JSON is not valid: " + ex.getMessage()
                        .lines().findFirst().orElse(""));
                continue;
            }
            if (!packages.isArray()) {
                ctx.unknown(e.path(), name(), "cargo-auditable JSON has no packages list");
                continue;
            }
            List<PackageFile> file = List.of(new PackageFile(e.path(), e.sha256(), e.sha1(), null));
            List<Package> byIndex = new ArrayList<>();
            for (JsonNode p : packages) {
                String crate = p.path("name").asText(null);
                String version = p.path("version").asText(null);
                if (crate == null || version == null) {
                    byIndex.add(null);
                    continue;
                }
                String source = p.path("source").asText("crates.io");
                Package pkg = new PackageBuilder("cargo", crate, version)
                        .purl(source.equals("crates.io") ? Purls.of("cargo", null, crate, version, Map.of()) : null)
                        .foundBy(name(), e.path())
                        .layer(ctx.layer(e.layer()))
                        .files(file)
                        // The root crate is what the binary was built as; the others are inside it.
                        .hashes(p.path("root").asBoolean(false) ? e.sha256() : null,
                                p.path("root").asBoolean(false) ? e.sha1() : null)
                        .property("cargo:source", source)
                        .property("cargo:kind", p.path("kind").asText("runtime"))
                        .property("cargo:root", p.path("root").asBoolean(false) ? "true" : null)
                        .build();
                byIndex.add(pkg);
                ctx.add(pkg);
            }
            for (int i = 0; i < packages.size(); i++) {
                Package from = byIndex.get(i);
                for (JsonNode d : packages.get(i).path("dependencies")) {
                    int j = d.asInt(-1);
                    if (from != null && j >= 0 && j < byIndex.size() && byIndex.get(j) != null && j != i) {
                        ctx.relate(new Relationship(from.id(), Relationship.Type.DEPENDS_ON, byIndex.get(j).id()));
                    }
                }
            }
        }
    }
}
