package dev.distill.sbom.audit;

import dev.distill.oci.ImageConfig;
import dev.distill.oci.Image;
import dev.distill.oci.ImageException;
import dev.distill.oci.ProgressEvent;
import dev.distill.sbom.SbomGenerator;
import dev.distill.sbom.SbomOptions;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.PackageFile;
import dev.distill.sbom.model.Sbom;
import dev.distill.sbom.tree.EntryType;
import dev.distill.sbom.tree.FileEntry;
import dev.distill.sbom.tree.FileTree;
import dev.distill.sbom.tree.LayerSummary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * {@code distill audit}: what an image carries that its application does not need, from the same walk as the
 * SBOM. Programs are found in the directories of a default PATH (symlinks, busybox applets included, each name
 * once per target); modes, devices and the image config are checked; files no package owns and bytes that
 * upper layers replaced or deleted are counted.
 */
public final class Auditor {
    private static final List<String> PATH_DIRS = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
            "/usr/bin", "/sbin", "/bin");
    private static final Map<String, Category> PROGRAMS = new HashMap<>();
    private static final Pattern SECRET = Pattern.compile(
            "(?i).*(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL).*");
    private static final Pattern VERSIONED = Pattern.compile("(pip|python|gcc|g\\+\\+|clang|go)[-0-9.]+");
    private static final List<String> DATABASES = List.of("/var/lib/dpkg/", "/lib/apk/db/", "/var/lib/rpm/",
            "/usr/lib/sysimage/rpm/");

    static {
        for (String s : List.of("sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", "busybox")) {
            PROGRAMS.put(s, Category.SHELL);
        }
        for (String s : List.of("apt", "apt-get", "aptitude", "dpkg", "apk", "rpm", "dnf", "yum", "microdnf", "zypper",
                "pip", "pip3", "npm", "yarn", "gem")) {
            PROGRAMS.put(s, Category.PACKAGE_MANAGER);
        }
        for (String s : List.of("curl", "wget", "nc", "ncat", "netcat", "socat", "telnet", "ssh", "scp", "ftp",
                "tftp")) {
            PROGRAMS.put(s, Category.NETWORK_TOOL);
        }
        for (String s : List.of("gcc", "cc", "g++", "c++", "clang", "go", "rustc", "javac", "gdb", "strace", "ltrace",
                "make")) {
            PROGRAMS.put(s, Category.COMPILER);
        }
    }

    private Auditor() {
    }

    public static AuditReport audit(Image image, SbomOptions options) throws IOException {
        return audit(image, options, ProgressEvent.IGNORE);
    }

    /** As {@link #audit(Image, SbomOptions)}, telling {@code progress} what the walk and the catalogers do. */
    public static AuditReport audit(Image image, SbomOptions options, Consumer<ProgressEvent> progress)
            throws IOException {
        return SbomGenerator.generate(image, options, true, (sbom, tree) -> analyze(image, sbom, tree), progress);
    }

    static AuditReport analyze(Image image, Sbom sbom, FileTree tree) throws ImageException {
        Map<String, Package> owners = owners(sbom, tree);
        List<Finding> findings = new ArrayList<>();
        programs(tree, owners, findings);
        for (FileEntry e : tree.entries()) {
            String layer = tree.layerOf(e).map(l -> l.digest() != null ? l.digest().toString()
                    : l.diffId().toString()).orElse(null);
            if (e.isFile() && (e.mode() & 06000) != 0) {
                findings.add(new Finding(Category.SETUID, e.path(), layer, owner(owners, e.path()),
                        ((e.mode() & 04000) != 0 ? "setuid" : "setgid") + " mode " + Integer.toOctalString(e.mode())));
            }
            boolean sticky = e.isDirectory() && (e.mode() & 01000) != 0;
            // Device nodes are world-writable by nature (/dev/null); they are reported as devices.
            if ((e.isFile() || e.isDirectory()) && (e.mode() & 0002) != 0 && !sticky) {
                findings.add(new Finding(Category.WORLD_WRITABLE, e.path(), layer, owner(owners, e.path()),
                        (e.isDirectory() ? "directory" : "file") + " mode " + Integer.toOctalString(e.mode())));
            }
            if (e.type() == EntryType.CHAR_DEVICE || e.type() == EntryType.BLOCK_DEVICE) {
                findings.add(new Finding(Category.DEVICE, e.path(), layer, null, e.type().name().toLowerCase(
                        java.util.Locale.ROOT).replace('_', ' ')));
            }
        }
        config(image.config(), findings);

        long unownedFiles = 0;
        long unownedBytes = 0;
        List<FileEntry> files = new ArrayList<>();
        Set<String> metadata = new HashSet<>();
        sbom.packages().forEach(p -> metadata.add(p.dbPath()));
        for (FileEntry e : tree.entries()) {
            if (!e.isFile()) {
                continue;
            }
            files.add(e);
            if (!owners.containsKey(e.path()) && !metadata.contains(e.path())
                    && DATABASES.stream().noneMatch(e.path()::startsWith)) {
                unownedFiles++;
                unownedBytes += e.size();
            }
        }
        if (unownedFiles > 0) {
            findings.add(new Finding(Category.UNOWNED, null, null, null, unownedFiles + " files, " + unownedBytes
                    + " bytes that no package lists"));
        }
        long wastedBytes = 0;
        int wastedFiles = 0;
        for (FileEntry e : tree.shadowed()) {
            if (e.isFile() && !e.hardlink()) {
                wastedBytes += e.size();
                wastedFiles++;
            }
        }
        if (wastedBytes > 0) {
            findings.add(new Finding(Category.WASTED, null, null, null, wastedFiles + " files, " + wastedBytes
                    + " bytes replaced or deleted by upper layers"));
        }
        findings.sort(Comparator.comparing((Finding f) -> f.category().severity()).thenComparing(Finding::category)
                .thenComparing(f -> f.path() == null ? "" : f.path()).thenComparing(Finding::detail));

        int score = 100;
        for (Category c : new LinkedHashSet<>(findings.stream().map(Finding::category).toList())) {
            score -= c.points();
        }
        return new AuditReport(image.reference(), sbom.source().digest(), Math.max(0, score), findings,
                layerSizes(tree), packageSizes(sbom, tree), largest(files, owners), unownedFiles, unownedBytes,
                wastedBytes);
    }

    /** Each file's owning package, by the path the file really has in the image. */
    private static Map<String, Package> owners(Sbom sbom, FileTree tree) {
        Map<String, Package> owners = new HashMap<>();
        for (Package p : sbom.packages()) {
            for (PackageFile f : p.files()) {
                try {
                    tree.resolveParents(f.path()).ifPresent(e -> owners.putIfAbsent(e.path(), p));
                } catch (ImageException loop) {
                    // a path through a symlink loop owns nothing
                }
            }
        }
        return owners;
    }

    private static String owner(Map<String, Package> owners, String path) {
        Package p = owners.get(path);
        return p == null ? null : p.purl() != null ? p.purl() : p.name() + "@" + p.version();
    }

    /** Programs on a default PATH, each name once per target (so a busybox farm reports each applet once). */
    private static void programs(FileTree tree, Map<String, Package> owners, List<Finding> findings)
            throws ImageException {
        Set<String> dirs = new LinkedHashSet<>();
        for (String d : PATH_DIRS) {
            String real = tree.realPath(d);
            if (tree.entry(real).map(FileEntry::isDirectory).orElse(false)) {
                dirs.add(real);
            }
        }
        Set<String> seen = new HashSet<>();
        for (FileEntry e : tree.entries()) {
            String parent = e.path().substring(0, Math.max(e.path().lastIndexOf('/'), 1));
            if (!dirs.contains(parent) || !(e.isFile() || e.isSymlink())) {
                continue;
            }
            String name = e.name();
            Category c = PROGRAMS.get(VERSIONED.matcher(name).matches() ? name.replaceAll("[-0-9.]+$", "") : name);
            if (c == null) {
                continue;
            }
            String target;
            try {
                target = tree.realPath(e.path());
            } catch (ImageException loop) {
                continue;
            }
            Optional<FileEntry> real = tree.entry(target);
            if (real.isEmpty() || !real.get().isFile() || !seen.add(name + " " + target)) {
                continue; // a dangling link runs nothing; one finding per name and target
            }
            String layer = tree.layerOf(real.get()).map(l -> l.digest() != null ? l.digest().toString()
                    : l.diffId().toString()).orElse(null);
            findings.add(new Finding(c, e.path(), layer, owner(owners, target),
                    e.isSymlink() ? name + " -> " + target : name));
        }
    }

    private static void config(ImageConfig config, List<Finding> findings) {
        if (config == null) {
            return; // a directory has no image config: nothing to say about users, ports or entrypoints
        }
        String user = config.user() == null ? "" : config.user().strip();
        String name = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
        if (name.isEmpty() || name.equals("0") || name.equals("root")) {
            findings.add(new Finding(Category.ROOT, null, null, null, user.isEmpty() ? "no User set" : "User " + user));
        }
        if (!config.hasRuntimeConfig()) {
            findings.add(new Finding(Category.NO_ENTRYPOINT, null, null, null, "no runtime config"));
            return;
        }
        for (String env : config.env() == null ? List.<String>of() : config.env()) {
            int eq = env.indexOf('=');
            String key = eq < 0 ? env : env.substring(0, eq);
            String value = eq < 0 ? "" : env.substring(eq + 1);
            if (SECRET.matcher(key).matches() && !value.isEmpty()) {
                // the value is never repeated: it may be the secret itself
                findings.add(new Finding(Category.SECRET_ENV, null, null, null, key));
            }
        }
        if (config.exposedPorts() != null) {
            config.exposedPorts().stream().sorted().forEach(port ->
                    findings.add(new Finding(Category.EXPOSED_PORT, null, null, null, port)));
        }
        List<String> run = config.entrypoint() != null && !config.entrypoint().isEmpty() ? config.entrypoint()
                : config.cmd();
        if (run == null || run.isEmpty()) {
            findings.add(new Finding(Category.NO_ENTRYPOINT, null, null, null, "neither Entrypoint nor Cmd"));
        } else if (run.size() >= 2 && run.get(1).equals("-c") && PROGRAMS.get(run.get(0)
                .substring(run.get(0).lastIndexOf('/') + 1)) == Category.SHELL) {
            findings.add(new Finding(Category.SHELL_ENTRYPOINT, null, null, null, String.join(" ", run)));
        }
    }

    private static List<AuditReport.LayerSize> layerSizes(FileTree tree) {
        List<AuditReport.LayerSize> out = new ArrayList<>();
        for (LayerSummary l : tree.layers()) {
            out.add(new AuditReport.LayerSize(l.index() + 1, (l.digest() != null ? l.digest() : l.diffId()).toString(),
                    l.compressedSize(), l.uncompressedSize()));
        }
        return out;
    }

    private static List<AuditReport.PackageSize> packageSizes(Sbom sbom, FileTree tree) {
        List<AuditReport.PackageSize> out = new ArrayList<>();
        for (Package p : sbom.packages()) {
            long bytes = 0;
            Set<String> counted = new HashSet<>();
            for (PackageFile f : p.files()) {
                try {
                    Optional<FileEntry> e = tree.resolveParents(f.path());
                    if (e.isPresent() && counted.add(e.get().path())) {
                        bytes += e.get().size();
                    }
                } catch (ImageException loop) {
                    // not counted
                }
            }
            out.add(new AuditReport.PackageSize(p.name(), p.version(), p.type(), bytes));
        }
        out.sort(Comparator.comparingLong(AuditReport.PackageSize::bytes).reversed()
                .thenComparing(AuditReport.PackageSize::name));
        return out.subList(0, Math.min(20, out.size()));
    }

    private static List<AuditReport.FileSize> largest(List<FileEntry> files, Map<String, Package> owners) {
        List<FileEntry> sorted = new ArrayList<>(files);
        sorted.sort(Comparator.comparingLong(FileEntry::size).reversed().thenComparing(FileEntry::path));
        List<AuditReport.FileSize> out = new ArrayList<>();
        for (FileEntry e : sorted.subList(0, Math.min(10, sorted.size()))) {
            out.add(new AuditReport.FileSize(e.path(), e.size(), owner(owners, e.path())));
        }
        return out;
    }
}
