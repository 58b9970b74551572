package dev.distill.sbom.catalog.rpm;

import dev.distill.sbom.catalog.CatalogContext;
import dev.distill.sbom.catalog.Cataloger;
import dev.distill.sbom.catalog.Cpes;
import dev.distill.sbom.catalog.PackageBuilder;
import dev.distill.sbom.catalog.Purls;
import dev.distill.sbom.model.Distro;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.tree.FileContent;
import dev.distill.sbom.tree.FileEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Red Hat family packages from the SQLite rpmdb ({@code var/lib/rpm/rpmdb.sqlite}, rpm 4.16 and later; Fedora
 * also keeps it at {@code usr/lib/sysimage/rpm}). The database, with its write-ahead log when there is one, is
 * copied to a private temp directory and opened read-only with xerial's sqlite-jdbc: the real SQLite engine, so
 * every page format and pending WAL transaction is read as rpm would read it. Berkeley DB ({@code Packages}) and
 * ndb ({@code Packages.db}) databases are reported as unknowns.
 */
public final class RpmCataloger implements Cataloger {
    private static final List<String> SQLITE = List.of("/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite");
    private static final List<String> OTHER = List.of("/var/lib/rpm/Packages", "/var/lib/rpm/Packages.db",
            "/usr/lib/sysimage/rpm/Packages", "/usr/lib/sysimage/rpm/Packages.db");

    @Override
    public String name() {
        return "rpm";
    }

    @Override
    public Set<Tag> tags() {
        return Set.of(Tag.OS);
    }

    @Override
    public List<String> globs() {
        List<String> globs = new ArrayList<>();
        for (String s : SQLITE) {
            globs.add(s);
            globs.add(s + "-wal");
        }
        return globs;
    }

    @Override
    public void catalog(CatalogContext ctx) throws IOException {
        for (String other : OTHER) {
            Optional<FileEntry> e = ctx.tree().entry(other);
            if (e.isPresent() && e.get().isFile()) {
                ctx.unknown(other, name(), "Berkeley DB and ndb rpm databases are not read yet (only rpmdb.sqlite)");
            }
        }
        for (String path : SQLITE) {
            Optional<FileEntry> db = ctx.tree().entry(path);
            if (db.isPresent() && db.get().isFile() && ctx.tree().content(db.get()).isPresent()) {
                catalogDb(ctx, path, db.get());
            }
        }
    }

    private void catalogDb(CatalogContext ctx, String path, FileEntry db) throws IOException {
        Map<String, Integer> firstLayer = ctx.firstLayers(path, v -> headers(ctx, v, null).stream()
                .map(RpmCataloger::nevra).toList());
        List<RpmHeader> headers;
        try {
            headers = headers(ctx, db, ctx.tree().entry(path + "-wal").orElse(null));
        } catch (SQLException | IllegalArgumentException e) {
            ctx.unknown(path, name(), "cannot read the rpm database: " + e.getMessage());
            return;
        }
        Map<String, Package> byName = new HashMap<>();
        Map<String, Package> byProvides = new HashMap<>();
        List<Package> packages = new ArrayList<>();
        List<RpmHeader> kept = new ArrayList<>();
        for (RpmHeader h : headers) {
            if (h.string(RpmHeader.NAME) == null || h.string(RpmHeader.VERSION) == null) {
                ctx.unknown(path, name(), "a package header without a name or version");
                continue;
            }
            Integer layer = firstLayer.get(nevra(h));
            Package p = toPackage(ctx, h, path, layer == null ? db.layer() : layer);
            // Several versions of one name (kernels, multilib) are all packages; the first answers for the name.
            byName.putIfAbsent(p.name(), p);
            packages.add(p);
            kept.add(h);
            for (String provided : h.strings(RpmHeader.PROVIDENAME)) {
                byProvides.putIfAbsent(provided, p);
            }
        }
        for (int i = 0; i < packages.size(); i++) {
            Package p = packages.get(i);
            ctx.add(p);
            for (String req : kept.get(i).strings(RpmHeader.REQUIRENAME)) {
                if (req.startsWith("rpmlib(")) {
                    continue; // rpm's own features, not packages
                }
                Package target = byName.containsKey(req) ? byName.get(req) : byProvides.get(req);
                if (target != null && !target.id().equals(p.id())) {
                    ctx.relate(new Relationship(p.id(), Relationship.Type.DEPENDS_ON, target.id()));
                }
            }
        }
    }

    private static String nevra(RpmHeader h) {
        return h.string(RpmHeader.NAME) + " " + h.integer(RpmHeader.EPOCH) + ":" + h.string(RpmHeader.VERSION) + "-"
                + h.string(RpmHeader.RELEASE) + "." + h.string(RpmHeader.ARCH);
    }

    /** Copies the database (and its WAL) out of the tree into a private directory and reads every header. */
    private static List<RpmHeader> headers(CatalogContext ctx, FileEntry db, FileEntry wal)
            throws IOException, SQLException {
        Path dir = Files.createTempDirectory("distill-rpmdb-");
        try {
            Path file = dir.resolve("rpmdb.sqlite");
            copy(ctx.tree().content(db).orElseThrow(), file);
            if (wal != null && wal.isFile() && ctx.tree().content(wal).isPresent()) {
                copy(ctx.tree().content(wal).get(), dir.resolve("rpmdb.sqlite-wal"));
            }
            List<RpmHeader> out = new ArrayList<>();
            // Not read-only: SQLite must be allowed to replay a WAL into its private copy.
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT blob FROM Packages ORDER BY hnum")) {
                while (rs.next()) {
                    out.add(RpmHeader.parse(rs.getBytes(1)));
                }
            }
            return out;
        } finally {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void copy(FileContent content, Path to) throws IOException {
        try (InputStream in = content.open()) {
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Package toPackage(CatalogContext ctx, RpmHeader h, String path, int layer) {
        String name = h.string(RpmHeader.NAME);
        Integer epoch = h.integer(RpmHeader.EPOCH);
        String version = h.string(RpmHeader.VERSION);
        String release = h.string(RpmHeader.RELEASE);
        String full = (epoch != null && epoch != 0 ? epoch + ":" : "") + version + (release == null ? "" : "-" + release);
        Distro d = ctx.distro();
        Map<String, String> q = new TreeMap<>();
        q.put("arch", h.string(RpmHeader.ARCH));
        q.put("epoch", epoch == null ? null : epoch.toString());
        q.put("distro", d == null ? null : d.qualifier());
        q.put("upstream", h.string(RpmHeader.SOURCERPM));
        String vendor = h.string(RpmHeader.VENDOR);
        String namespace = d != null ? d.id() : vendor != null ? vendor.toLowerCase(Locale.ROOT).split("\\s+")[0]
                : "rpm";
        // purl versions for rpm are version-release; the epoch is a qualifier (purl spec, rpm type).
        String purlVersion = version + (release == null ? "" : "-" + release);
        List<String> files = h.files();
        Map<String, String> recorded = new HashMap<>();
        List<String> digests = h.strings(RpmHeader.FILEDIGESTS);
        String algo = digestAlgorithm(h.integer(RpmHeader.FILEDIGESTALGO));
        for (int i = 0; i < files.size() && i < digests.size(); i++) {
            if (!digests.get(i).isEmpty()) {
                recorded.put(files.get(i), algo + ":" + digests.get(i));
            }
        }
        return new PackageBuilder("rpm", name, full)
                .purl(Purls.of("rpm", namespace, name, purlVersion, q))
                .cpe(Cpes.application(vendorName(vendor, name), name, version))
                .license(h.string(RpmHeader.LICENSE))
                .supplier(vendor != null ? vendor : h.string(RpmHeader.PACKAGER))
                .architecture(h.string(RpmHeader.ARCH))
                .description(h.string(RpmHeader.SUMMARY))
                .foundBy(name(), path)
                .layer(ctx.layer(layer))
                .files(ctx.ownedFiles(files, recorded))
                .property("rpm:sourceRpm", h.string(RpmHeader.SOURCERPM))
                .property("rpm:vendor", vendor)
                .property("rpm:url", h.string(RpmHeader.URL))
                .build();
    }

    private static String vendorName(String vendor, String name) {
        return vendor == null ? name : vendor.toLowerCase(Locale.ROOT).split("[\\s,]+")[0];
    }

    /** rpm's PGPHASHALGO numbers; rpm 4.x defaults to MD5 (1) when the tag is absent. */
    static String digestAlgorithm(Integer algo) {
        if (algo == null) {
            return "md5";
        }
        return switch (algo) {
            case 1 -> "md5";
            case 2 -> "sha1";
            case 8 -> "sha256";
            case 9 -> "sha384";
            case 10 -> "sha512";
            case 11 -> "sha224";
            default -> "algo" + algo;
        };
    }
}
