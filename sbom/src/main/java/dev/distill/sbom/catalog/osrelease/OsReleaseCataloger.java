package dev.distill.sbom.catalog.osrelease;

import dev.distill.sbom.catalog.CatalogContext;
import dev.distill.sbom.catalog.Cataloger;
import dev.distill.sbom.model.Distro;
import dev.distill.sbom.tree.FileEntry;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Identifies the distribution from {@code /etc/os-release}, else {@code /usr/lib/os-release} (which distroless and
 * Wolfi images carry through a symlink or directly), else Alpine's {@code /etc/alpine-release} (a bare version:
 * minimal Alpine roots carry it without os-release).
 */
public final class OsReleaseCataloger implements Cataloger {
    private static final List<String> PATHS = List.of("/etc/os-release", "/usr/lib/os-release");
    private static final String ALPINE_RELEASE = "/etc/alpine-release";

    @Override
    public String name() {
        return "os-release";
    }

    @Override
    public Set<Tag> tags() {
        return Set.of(Tag.OS);
    }

    @Override
    public List<String> globs() {
        return List.of(PATHS.get(0), PATHS.get(1), ALPINE_RELEASE);
    }

    @Override
    public void catalog(CatalogContext ctx) throws IOException {
        for (String path : PATHS) {
            Optional<FileEntry> e;
            try {
                e = ctx.tree().resolve(path);
            } catch (dev.distill.oci.ImageException loop) {
                ctx.unknown(path, name(), loop.getMessage());
                continue;
            }
            if (e.isEmpty() || !e.get().isFile()) {
                continue;
            }
            Optional<String> text = ctx.text(e.get());
            if (text.isEmpty()) {
                continue;
            }
            Map<String, String> fields = parse(text.get());
            if (fields.get("ID") == null) {
                ctx.unknown(e.get().path(), name(), "no ID field");
                continue;
            }
            ctx.distro(new Distro(fields.get("ID"), fields.get("VERSION_ID"), fields.get("VERSION_CODENAME"),
                    fields.get("PRETTY_NAME"), fields.get("CPE_NAME"),
                    fields.containsKey("ID_LIKE") ? Arrays.asList(fields.get("ID_LIKE").split("\\s+")) : List.of(),
                    e.get().path()));
            return;
        }
        alpineRelease(ctx);
    }

    private void alpineRelease(CatalogContext ctx) throws IOException {
        Optional<FileEntry> e;
        try {
            e = ctx.tree().resolve(ALPINE_RELEASE);
        } catch (dev.distill.oci.ImageException loop) {
            ctx.unknown(ALPINE_RELEASE, name(), loop.getMessage());
            return;
        }
        if (e.isEmpty() || !e.get().isFile()) {
            return;
        }
        String version = ctx.text(e.get()).orElse("").strip();
        if (!version.matches("[0-9][0-9A-Za-z._+-]*")) {
            ctx.unknown(e.get().path(), name(), "not a version");
            return;
        }
        ctx.distro(new Distro("alpine", version, null, null, null, List.of(), e.get().path()));
    }

    /** Parses the shell-like KEY=value lines of os-release(5), with single or double quotes. */
    static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            int eq = l.indexOf('=');
            if (l.isEmpty() || l.startsWith("#") || eq <= 0) {
                continue;
            }
            String value = l.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\")
                        .replace("\\$", "$").replace("\\`", "`");
            }
            out.put(l.substring(0, eq), value);
        }
        return out;
    }
}
