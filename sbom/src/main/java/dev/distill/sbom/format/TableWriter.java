package dev.distill.sbom.format;

import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Sbom;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A table for people: name, version, type, license, and the layer that introduced each package. */
public final class TableWriter implements SbomWriter {
    @Override
    public void write(Sbom sbom, OutputStream out) throws IOException {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "VERSION", "TYPE", "LICENSE", "LAYER"});
        for (Package p : sbom.packages()) {
            rows.add(new String[] {p.name(), p.version(), p.type(), p.license() == null ? "" : p.license(),
                p.layer() == null ? "" : (p.layer().index() + 1) + " " + shortId(p.layer().id())});
        }
        int[] width = new int[5];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], Math.min(r[i].length(), i == 3 ? 40 : 60));
            }
        }
        PrintWriter w = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                String cell = r[i].length() > width[i] ? r[i].substring(0, width[i] - 1) + "…" : r[i];
                line.append(cell);
                if (i < r.length - 1) {
                    line.append(" ".repeat(width[i] - cell.length() + 2));
                }
            }
            w.print(line.toString().stripTrailing());
            w.print('\n');
        }
        String distro = sbom.distro() == null ? "unknown distro" : sbom.distro().prettyName() == null
                ? sbom.distro().qualifier() : sbom.distro().prettyName();
        w.print(sbom.packages().size() + " packages, " + distro
                + (sbom.unknowns().isEmpty() ? "" : ", " + sbom.unknowns().size() + " unreadable files") + "\n");
        w.flush();
    }

    private static String shortId(String digest) {
        int colon = digest.indexOf(':');
        return digest.substring(colon + 1, Math.min(digest.length(), colon + 13));
    }
}
