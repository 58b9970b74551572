package dev.distill.sbom.catalog.npm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.sbom.catalog.CatalogContext;
import dev.distill.sbom.catalog.Cataloger;
import dev.distill.sbom.catalog.PackageBuilder;
import dev.distill.sbom.catalog.Purls;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.tree.FileEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Installed npm packages where Node resolves them: {@code node_modules/NAME/package.json} and
 * {@code node_modules/@SCOPE/NAME/package.json} at any depth, and the global directories ({@code
 * /usr/lib/node_modules}, {@code /usr/local/lib/node_modules}, Debian's {@code /usr/share/nodejs}). A
 * package.json anywhere else (a test fixture, an example) is not an installed package, and neither is one whose
 * name does not match its directory.
 */
public final class NpmCataloger implements Cataloger {
    private static final List<String> GLOBS = List.of("**/node_modules/*/package.json",
            "**/node_modules/@*/*/package.json", "/usr/share/nodejs/*/package.json",
            "/usr/share/nodejs/@*/*/package.json");
    private static final List<String> LOCKS = List.of("**/package-lock.json");

    @Override
    public String name() {
        return "npm";
    }

    @Override
    public Set<Tag> tags() {
        return Set.of(Tag.LANGUAGE);
    }

    @Override
    public List<String> globs() {
        List<String> all = new ArrayList<>(GLOBS);
        all.addAll(LOCKS);
        return all;
    }

    private record Found(Package pkg, List<String> dependencies) {
    }

    @Override
    public void catalog(CatalogContext ctx) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<Found> found = new ArrayList<>();
        for (FileEntry e : ctx.tree().find(GLOBS)) {
            Optional<String> text = e.isFile() ? ctx.text(e) : Optional.empty();
            if (text.isEmpty()) {
                continue;
            }
            JsonNode json;
            try {
                json = mapper.readTree(text.get());
            } catch (IOException ex) {
                ctx.unknown(e.path(), name(), "package.json is not valid JSON: "
                        + ex.getMessage().lines().findFirst().orElse(""));
                continue;
            }
            String name = json.path("name").asText(null);
            String version = json.path("version").asText(null);
            if (name == null || version == null || version.isBlank() || !name.equals(directoryName(e.path()))) {
                continue; // not an installed package (no name, or a file that only looks like one)
            }
            String scope = name.startsWith("@") && name.contains("/") ? name.substring(0, name.indexOf('/')) : null;
            String bare = scope == null ? name : name.substring(scope.length() + 1);
            List<String> deps = new ArrayList<>();
            json.path("dependencies").fieldNames().forEachRemaining(deps::add);
            Package p = new PackageBuilder("npm", name, version)
                    .purl(Purls.of("npm", scope, bare, version, Map.of()))
                    .license(license(json.path("license")))
                    .supplier(author(json.path("author")))
                    .description(json.path("description").asText(null))
                    .foundBy(name(), e.path())
                    .layer(ctx.layer(e.layer()))
                    .property("npm:homepage", json.path("homepage").asText(null))
                    .build();
            found.add(new Found(p, deps));
        }
        for (FileEntry e : ctx.tree().find(LOCKS)) {
            if (e.isFile() && !e.path().contains("/node_modules/")) {
                lockfile(ctx, mapper, e, found);
            }
        }
        Map<String, Package> byName = new HashMap<>();
        for (Found f : found) {
            byName.putIfAbsent(f.pkg().name(), f.pkg());
        }
        for (Found f : found) {
            ctx.add(f.pkg());
            for (String d : f.dependencies()) {
                Package target = byName.get(d);
                if (target != null && !target.id().equals(f.pkg().id())) {
                    ctx.relate(new Relationship(f.pkg().id(), Relationship.Type.DEPENDS_ON, target.id()));
                }
            }
        }
    }

    /**
     * A root package-lock.json (lockfile v2/v3 {@code packages}, or v1 {@code dependencies}): what npm installed
     * or will install. Packages also found in node_modules merge with these (same purl); dev dependencies are
     * left out, as production images do not carry them.
     */
    private void lockfile(CatalogContext ctx, ObjectMapper mapper, FileEntry e, List<Found> found) throws IOException {
        JsonNode lock;
        try {
            lock = mapper.readTree(ctx.text(e).orElse("{}"));
        } catch (IOException ex) {
            ctx.unknown(e.path(), name(), "package-lock.json is not valid JSON: "
                    + ex.getMessage().lines().findFirst().orElse(""));
            return;
        }
        if (lock.path("packages").isObject()) {
            var it = lock.path("packages").fields();
            while (it.hasNext()) {
                var entry = it.next();
                int at = entry.getKey().lastIndexOf("node_modules/");
                if (at < 0 || entry.getValue().path("dev").asBoolean(false)) {
                    continue;
                }
                String name = entry.getValue().path("name").asText(entry.getKey().substring(at + 13));
                addLocked(ctx, e, name, entry.getValue(), found);
            }
        } else {
            lockV1(ctx, e, lock.path("dependencies"), found);
        }
    }

    private void lockV1(CatalogContext ctx, FileEntry e, JsonNode deps, List<Found> found) {
        var it = deps.fields();
        while (it.hasNext()) {
            var entry = it.next();
            if (!entry.getValue().path("dev").asBoolean(false)) {
                addLocked(ctx, e, entry.getKey(), entry.getValue(), found);
                lockV1(ctx, e, entry.getValue().path("dependencies"), found);
            }
        }
    }

    private void addLocked(CatalogContext ctx, FileEntry lock, String name, JsonNode node, List<Found> found) {
        String version = node.path("version").asText(null);
        if (name.isBlank() || version == null || version.isBlank() || version.startsWith("file:")
                || version.startsWith("link:")) {
            return;
        }
        String scope = name.startsWith("@") && name.contains("/") ? name.substring(0, name.indexOf('/')) : null;
        String bare = scope == null ? name : name.substring(scope.length() + 1);
        String purl;
        try {
            purl = Purls.of("npm", scope, bare, version, Map.of());
        } catch (IllegalArgumentException ex) {
            // a key such as "node_modules/@scope/" names no package: say so, and keep the lockfile's others
            ctx.unknown(lock.path(), name(), "package-lock.json lists '" + name + "', which is not a package name");
            return;
        }
        List<String> deps = new ArrayList<>();
        node.path("requires").fieldNames().forEachRemaining(deps::add);
        node.path("dependencies").fieldNames().forEachRemaining(d -> {
            if (node.path("dependencies").path(d).isTextual()) {
                deps.add(d);
            }
        });
        found.add(new Found(new PackageBuilder("npm", name, version)
                .purl(purl)
                .license(license(node.path("license")))
                .foundBy(name(), lock.path())
                .layer(ctx.layer(lock.layer()))
                .property("npm:resolved", node.path("resolved").asText(null))
                .property("npm:integrity", node.path("integrity").asText(null))
                .build(), deps));
    }

    /** "name" or "@scope/name" from .../NAME/package.json. */
    static String directoryName(String path) {
        String[] parts = path.split("/");
        if (parts.length < 3) {
            return null;
        }
        String dir = parts[parts.length - 2];
        String parent = parts[parts.length - 3];
        return parent.startsWith("@") ? parent + "/" + dir : dir;
    }

    private static String license(JsonNode node) {
        if (node.isTextual()) {
            String v = node.asText().strip();
            return v.isEmpty() || v.equalsIgnoreCase("UNLICENSED") || v.startsWith("SEE LICENSE") ? null : v;
        }
        if (node.isObject() && node.path("type").isTextual()) {
            return node.path("type").asText();
        }
        return null;
    }

    private static String author(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isObject() && node.path("name").isTextual()) {
            return node.path("name").asText() + (node.path("email").isTextual()
                    ? " <" + node.path("email").asText() + ">" : "");
        }
        return null;
    }
}
