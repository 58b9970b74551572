package dev.distill.sbom.tree;

import java.util.Arrays;
import java.util.HashMap;
import java.util.function.Consumer;

/**
 * The entries of a tree by path, in place of a sorted map of path strings: one {@link Dir} per directory path that
 * has (or had) entries below it, found by its path in a hash map, holding its entries in an array sorted by name.
 * Entries are visited in the order of their path strings, as a sorted map of them would visit them. A million-file
 * tree keeps no path string or map node per entry: about 6 bytes an entry here, against 40 bytes of node and 70 of
 * path string.
 */
final class PathIndex {
    private static final FileEntry[] NO_ENTRIES = {};
    private static final Dir[] NO_DIRS = {};

    /** A directory path: its entries sorted by name, and the directories below it that have entries. */
    static final class Dir {
        final String path;
        private FileEntry[] entries = NO_ENTRIES;
        private int size;
        private Dir[] subdirs = NO_DIRS;
        private int subCount;
        private boolean subdirsSorted = true;

        private Dir(String path) {
            this.path = path;
        }

        /** Where the name {@code s[from, to)} is among the entries, or {@code -(insertion point) - 1}. */
        private int find(String s, int from, int to) {
            // entries mostly come in name order: look at the last one first
            if (size > 0) {
                int c = entries[size - 1].compareName(s, from, to, false);
                if (c < 0) {
                    return -size - 1;
                }
                if (c == 0) {
                    return size - 1;
                }
            }
            int lo = 0;
            int hi = size - 2;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = entries[mid].compareName(s, from, to, false);
                if (c < 0) {
                    lo = mid + 1;
                } else if (c > 0) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -lo - 1;
        }

        private int find(FileEntry e) {
            if (size > 0) {
                int c = entries[size - 1].compareName(e);
                if (c < 0) {
                    return -size - 1;
                }
                if (c == 0) {
                    return size - 1;
                }
            }
            int lo = 0;
            int hi = size - 2;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = entries[mid].compareName(e);
                if (c < 0) {
                    lo = mid + 1;
                } else if (c > 0) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -lo - 1;
        }

        private void insert(int at, FileEntry e) {
            if (size == entries.length) {
                entries = Arrays.copyOf(entries, Math.max(4, size + (size >> 1)));
            }
            System.arraycopy(entries, at, entries, at + 1, size - at);
            entries[at] = e;
            size++;
        }

        private void delete(int at) {
            System.arraycopy(entries, at + 1, entries, at, size - at - 1);
            entries[--size] = null;
        }

        private void addSubdir(Dir d) {
            if (subCount == subdirs.length) {
                subdirs = Arrays.copyOf(subdirs, Math.max(2, subCount * 2));
            }
            subdirs[subCount++] = d;
            subdirsSorted = false;
        }

        /** The subdirectories in the order of their paths' descendants: by name followed by '/'. */
        private void sortSubdirs() {
            if (!subdirsSorted) {
                Arrays.sort(subdirs, 0, subCount, (a, b) -> compareSlashed(a.path, b.path));
                subdirsSorted = true;
            }
        }
    }

    /** Compares the last elements of two directory paths, each followed by '/'. */
    private static int compareSlashed(String a, String b) {
        int ai = a.lastIndexOf('/') + 1;
        int bi = b.lastIndexOf('/') + 1;
        int n = Math.min(a.length() - ai, b.length() - bi) + 1;
        for (int i = 0; i < n; i++) {
            char c = ai + i < a.length() ? a.charAt(ai + i) : '/';
            char d = bi + i < b.length() ? b.charAt(bi + i) : '/';
            if (c != d) {
                return c - d;
            }
        }
        return (a.length() - ai) - (b.length() - bi);
    }

    private final HashMap<String, Dir> dirs = new HashMap<>();
    private final Dir top = new Dir("/");
    private FileEntry root;
    private int count;

    PathIndex() {
        dirs.put("/", top);
    }

    int size() {
        return count;
    }

    /** The entry at this absolute, normalised path, or null. */
    FileEntry get(String path) {
        if (path.equals("/")) {
            return root;
        }
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            return null;
        }
        Dir d = dirs.get(slash == 0 ? "/" : path.substring(0, slash));
        if (d == null) {
            return null;
        }
        int i = d.find(path, slash + 1, path.length());
        return i >= 0 ? d.entries[i] : null;
    }

    /**
     * The string this index keeps for the directory path {@code dir}, equal to it: entries filed with it share one
     * string per directory rather than keeping a copy each.
     */
    String dirPath(String dir) {
        return dir.isEmpty() ? dir : dir(dir).path;
    }

    /** Files an entry at its path; returns the entry it replaced, or null. */
    FileEntry put(FileEntry e) {
        if (e.dir().isEmpty()) {
            FileEntry old = root;
            root = e;
            if (old == null) {
                count++;
            }
            return old;
        }
        Dir d = dir(e.dir());
        int i = d.find(e);
        if (i >= 0) {
            FileEntry old = d.entries[i];
            d.entries[i] = e;
            return old;
        }
        d.insert(-i - 1, e);
        count++;
        return null;
    }

    /** Removes the entry at this path; returns it, or null. */
    FileEntry remove(String path) {
        if (path.equals("/")) {
            FileEntry old = root;
            root = null;
            if (old != null) {
                count--;
            }
            return old;
        }
        int slash = path.lastIndexOf('/');
        Dir d = slash < 0 ? null : dirs.get(slash == 0 ? "/" : path.substring(0, slash));
        if (d == null) {
            return null;
        }
        int i = d.find(path, slash + 1, path.length());
        if (i < 0) {
            return null;
        }
        FileEntry old = d.entries[i];
        d.delete(i);
        count--;
        return old;
    }

    private Dir dir(String path) {
        Dir d = dirs.get(path);
        if (d == null) {
            d = new Dir(path);
            dirs.put(path, d);
            int slash = path.lastIndexOf('/');
            dir(slash == 0 ? "/" : path.substring(0, slash)).addSubdir(d);
        }
        return d;
    }

    /**
     * Removes the entries below the directory path {@code dir} that layers below {@code layer} wrote, telling
     * {@code removed} of each in path order.
     */
    void removeUnder(String dir, int layer, Consumer<FileEntry> removed) {
        if (dir.equals("/") && root != null && root.layer() < layer) {
            // below "/" is everything, the root's own entry first (as a sorted map's range from "/" has it)
            removed.accept(root);
            root = null;
            count--;
        }
        Dir d = dirs.get(dir);
        if (d != null) {
            walk(d, layer, removed);
        }
    }

    /** Every entry in path order. */
    void forEach(Consumer<FileEntry> action) {
        if (root != null) {
            action.accept(root);
        }
        walk(top, Integer.MIN_VALUE, action);
    }

    /**
     * Visits the entries below {@code d} in path order, an entry's own before those below it; with {@code layer}
     * above {@link Integer#MIN_VALUE}, removes those written below {@code layer} as it visits them, and only those.
     */
    private void walk(Dir d, int layer, Consumer<FileEntry> visit) {
        d.sortSubdirs();
        int kept = 0;
        int j = 0;
        for (int i = 0; i < d.size; i++) {
            FileEntry e = d.entries[i];
            // a directory's descendants ("name/...") come after every entry whose name is below "name/"
            while (j < d.subCount && e.compareName(d.subdirs[j].path, d.subdirs[j].path.lastIndexOf('/') + 1,
                    d.subdirs[j].path.length(), true) > 0) {
                walk(d.subdirs[j++], layer, visit);
            }
            if (layer == Integer.MIN_VALUE) {
                visit.accept(e);
            } else if (e.layer() < layer) {
                visit.accept(e);
                count--;
                continue;
            }
            d.entries[kept++] = e;
        }
        if (kept < d.size) {
            Arrays.fill(d.entries, kept, d.size, null);
            d.size = kept;
        }
        while (j < d.subCount) {
            walk(d.subdirs[j++], layer, visit);
        }
    }
}
