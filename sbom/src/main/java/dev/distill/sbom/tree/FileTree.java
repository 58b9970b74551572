package dev.distill.sbom.tree;

import dev.distill.oci.ImageException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The filesystem of an image: the squashed view (what a container sees), optionally the entries that upper layers
 * hid, the captured contents of the files catalogers asked for, and a summary per layer. Built by
 * {@link FileTreeBuilder}; close it to delete spooled contents and the file digests moved to disk.
 */
public final class FileTree implements AutoCloseable {
    private final PathIndex entries;
    /** The squashed view in path order, made when first asked for. */
    private List<FileEntry> sorted;
    private final List<FileEntry> hidden;
    private final Map<FileEntry, FileContent> contents;
    private final Map<FileEntry, Object> inspections;
    private final Set<String> captureGlobs;
    private final Set<String> matched;
    private final List<LayerSummary> layers;
    private final Scope scope;
    private final int maxSymlinkHops;
    private final DigestSpill spill;

    FileTree(PathIndex entries, List<FileEntry> hidden, Map<FileEntry, FileContent> contents,
             Map<FileEntry, Object> inspections, List<LayerSummary> layers, Scope scope, int maxSymlinkHops,
             List<String> captureGlobs, Set<String> matched, DigestSpill spill) {
        this.spill = spill;
        this.inspections = inspections;
        this.captureGlobs = Set.copyOf(captureGlobs);
        this.matched = matched;
        this.entries = entries;
        this.hidden = List.copyOf(hidden);
        this.contents = contents;
        this.layers = List.copyOf(layers);
        this.scope = scope;
        this.maxSymlinkHops = maxSymlinkHops;
    }

    /** The squashed filesystem, sorted by path. */
    public synchronized Collection<FileEntry> entries() {
        if (sorted == null) {
            List<FileEntry> all = new ArrayList<>(entries.size());
            entries.forEach(all::add);
            sorted = Collections.unmodifiableList(all);
        }
        return sorted;
    }

    /** Entries that upper layers deleted or replaced (only kept in the all-layers scope), in the order hidden. */
    public List<FileEntry> hiddenEntries() {
        return scope == Scope.ALL_LAYERS ? hidden : List.of();
    }

    /**
     * Every entry an upper layer deleted or replaced that the tree kept: all of them in the all-layers scope or
     * when asked to record them, else only earlier versions of captured files. Each keeps the layer that wrote it.
     */
    public List<FileEntry> shadowed() {
        return hidden;
    }

    /**
     * Every version of a captured file that the layers wrote, lowest layer first, the current one (if any) last.
     * Catalogers use it to tell in which layer a package first appeared in a database file.
     */
    public List<FileEntry> versions(String path) {
        List<FileEntry> out = new ArrayList<>();
        for (FileEntry e : hidden) {
            if (e.path().equals(path) && contents.containsKey(e)) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparingInt(FileEntry::layer));
        FileEntry current = entries.get(path);
        if (current != null) {
            out.add(current);
        }
        return out;
    }

    public Scope scope() {
        return scope;
    }

    public List<LayerSummary> layers() {
        return layers;
    }

    /** The layer that last wrote an entry; empty for directory sources. */
    public Optional<LayerSummary> layerOf(FileEntry e) {
        return e.layer() >= 0 && e.layer() < layers.size() ? Optional.of(layers.get(e.layer())) : Optional.empty();
    }

    /** The entry at exactly this path, no symlink followed. */
    public Optional<FileEntry> entry(String path) {
        return Optional.ofNullable(entries.get(path));
    }

    /** Where {@code path} leads inside the image, symlinks followed (absolute ones from the image root). */
    public String realPath(String path) throws ImageException {
        return PathResolver.resolve(entries::get, path, true, maxSymlinkHops);
    }

    /** The entry {@code path} leads to, symlinks followed inside the root; empty when nothing is there. */
    public Optional<FileEntry> resolve(String path) throws ImageException {
        return entry(realPath(path));
    }

    /**
     * The entry at {@code path} with symlinked parent directories followed inside the root but not the last
     * element: what {@code lstat} would see in a chroot. Package databases list paths this way.
     */
    public Optional<FileEntry> resolveParents(String path) throws ImageException {
        return entry(PathResolver.resolve(entries::get, path, false, maxSymlinkHops));
    }

    /** The captured content of an entry, when it matched a capture glob. */
    public Optional<FileContent> content(FileEntry e) {
        return Optional.ofNullable(contents.get(e));
    }

    /** What a content inspector found in an entry, when it is of the given type. */
    public <T> Optional<T> inspection(FileEntry e, Class<T> type) {
        Object o = inspections.get(e);
        return type.isInstance(o) ? Optional.of(type.cast(o)) : Optional.empty();
    }

    /**
     * Entries of the squashed view that a content inspector looked at, sorted by path: what the binary catalogers
     * read, without a walk over every entry of the image.
     */
    public List<FileEntry> inspected() {
        List<FileEntry> out = new ArrayList<>();
        for (FileEntry e : inspections.keySet()) {
            if (entries.get(e.path()) == e) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparing(FileEntry::path));
        return out;
    }

    /** Entries (squashed, plus hidden ones in the all-layers scope) whose path matches one of the globs. */
    public List<FileEntry> find(List<String> globs) {
        GlobMatcher m = GlobMatcher.of(globs);
        List<FileEntry> out = new ArrayList<>();
        // Globs the tree was built to capture were matched while streaming: look only at those paths.
        if (captureGlobs.containsAll(globs)) {
            for (String path : matched) {
                FileEntry e = entries.get(path);
                if (e != null && m.matches(path)) {
                    out.add(e);
                }
            }
        } else {
            for (FileEntry e : entries()) {
                if (m.matches(e.path())) {
                    out.add(e);
                }
            }
        }
        for (FileEntry e : hiddenEntries()) {
            if (m.matches(e.path())) {
                out.add(e);
            }
        }
        return out;
    }

    /** Regular files (hardlinks included) in the squashed view. */
    public long fileCount() {
        return entries().stream().filter(FileEntry::isFile).count();
    }

    @Override
    public void close() {
        contents.values().forEach(FileContent::release);
        spill.close();
    }
}
