package dev.distill.sbom.catalog;

import dev.distill.oci.ImageException;
import dev.distill.sbom.model.Distro;
import dev.distill.sbom.model.LayerInfo;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.PackageFile;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Unknown;
import dev.distill.sbom.tree.FileContent;
import dev.distill.sbom.tree.FileEntry;
import dev.distill.sbom.tree.FileTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What catalogers read (the tree, the distro) and where they put what they find. */
public final class CatalogContext {
    private final FileTree tree;
    private final List<LayerInfo> layers;
    private Distro distro;
    private final List<Package> packages = new ArrayList<>();
    private final List<Relationship> relationships = new ArrayList<>();
    private final List<Unknown> unknowns = new ArrayList<>();

    public CatalogContext(FileTree tree, List<LayerInfo> layers) {
        this.tree = tree;
        this.layers = List.copyOf(layers);
    }

    public FileTree tree() {
        return tree;
    }

    public Distro distro() {
        return distro;
    }

    public void distro(Distro d) {
        this.distro = d;
    }

    public LayerInfo layer(int index) {
        return index >= 0 && index < layers.size() ? layers.get(index) : null;
    }

    public void add(Package p) {
        packages.add(p);
    }

    public void relate(Relationship r) {
        relationships.add(r);
    }

    public void unknown(String path, String cataloger, String message) {
        unknowns.add(new Unknown(path, cataloger, message));
    }

    public List<Package> packages() {
        return packages;
    }

    public List<Relationship> relationships() {
        return relationships;
    }

    public List<Unknown> unknowns() {
        return unknowns;
    }

    /** The captured text (UTF-8) of an entry, if the tree captured it. */
    public Optional<String> text(FileEntry e) throws IOException {
        Optional<FileContent> c = tree.content(e);
        return c.isEmpty() ? Optional.empty() : Optional.of(new String(c.get().bytes(), StandardCharsets.UTF_8));
    }

    /** Lists the package keys ("name version") that one version of a database file holds. */
    @FunctionalInterface
    public interface KeyReader {
        java.util.Collection<String> keys(FileEntry version) throws Exception;
    }

    /**
     * For each key of a database file, the lowest layer whose version of the file lists it: the layer that
     * installed that package version, even when upper layers rewrote the database. A version that cannot be read
     * costs attribution only, so it is skipped (the current version is read, and reported, by the cataloger).
     */
    public java.util.Map<String, Integer> firstLayers(String path, KeyReader reader) {
        java.util.Map<String, Integer> first = new java.util.HashMap<>();
        for (FileEntry version : tree.versions(path)) {
            try {
                for (String key : reader.keys(version)) {
                    first.putIfAbsent(key, version.layer());
                }
            } catch (Exception unreadable) {
                // see above: an earlier broken version is skipped
            }
        }
        return first;
    }

    /** The captured text of an entry, which must be valid UTF-8 (metadata formats that say they are UTF-8). */
    public Optional<String> strictText(FileEntry e) throws IOException {
        Optional<FileContent> c = tree.content(e);
        if (c.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(c.get().bytes())).toString());
    }

    /**
     * The files a package database lists, resolved in the image (symlinked parent directories followed, inside
     * the root; a listed symlink is the package's symlink, not its target): regular files only, with the digests
     * computed from the image. Listed paths that are gone are skipped.
     */
    public List<PackageFile> ownedFiles(List<String> listed, java.util.Map<String, String> recorded) {
        List<PackageFile> out = new ArrayList<>();
        for (String path : listed) {
            String p = path.startsWith("/") ? path : "/" + path;
            try {
                Optional<FileEntry> e = tree.resolveParents(p);
                if (e.isPresent() && e.get().isFile()) {
                    out.add(new PackageFile(p, e.get().sha256(), e.get().sha1(), recorded.get(p)));
                }
            } catch (ImageException loop) {
                // a symlink loop on the way: the file is not there to own
            }
        }
        out.sort(java.util.Comparator.comparing(PackageFile::path));
        return out;
    }
}
