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
 * Wolfi images carry through a symlink or directly).
 */
public final class OsReleaseCataloger implements Cataloger {
    private static final List<String> PATHS = List.of("/etc/os-release", "/usr/lib/os-release");

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
        return PATHS;
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
