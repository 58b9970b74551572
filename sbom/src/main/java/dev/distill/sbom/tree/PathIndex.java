package dev.distill.sbom.tree;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * The entries of a tree being built, by path, with what is needed to find every path below a directory (whiteouts
 * and opaque directories delete whole subtrees). A hash map, not a sorted one: a layer's entries come in no useful
 * order (a tar of a million files visits tens of thousands of directories in turn), and filing each in a sorted
 * map of a million nodes was most of the time the tree's one thread spent. Paths are sorted once, at the end.
 *
 * <p>Below each directory path that has had entries under it is the list of the paths filed directly under it
 * (directories that no entry names included, since layers need not name them). Lists are not pruned when an entry
 * goes: a listed path counts while an entry or a list is still at it, and a path listed twice is seen once.
 */
final class PathIndex {
    private final HashMap<String, FileEntry> byPath = new HashMap<>(1 << 12);
    private final HashMap<String, ArrayList<String>> below = new HashMap<>();

    FileEntry get(String path) {
        return byPath.get(path);
    }

    /** The map the resolver reads while the tree is built. */
    Map<String, FileEntry> map() {
        return byPath;
    }

    /** Files {@code entry} at {@code path}; returns what was there. */
    FileEntry put(String path, FileEntry entry) {
        FileEntry old = byPath.put(path, entry);
        if (old == null && !below.containsKey(path)) {
            list(path);
        }
        return old;
    }

    FileEntry remove(String path) {
        return byPath.remove(path);
    }

    /** Lists {@code path} under its parent, and the parent under its own when it was not listed yet. */
    private void list(String path) {
        while (!path.equals("/")) {
            int slash = path.lastIndexOf('/');
            String parent = slash == 0 ? "/" : path.substring(0, slash);
            ArrayList<String> children = below.get(parent);
            boolean parentListed = children != null || byPath.containsKey(parent);
            if (children == null) {
                children = new ArrayList<>(4);
                below.put(parent, children);
            }
            children.add(path);
            if (parentListed) {
                return;
            }
            path = parent;
        }
    }

    /**
     * The entries whose paths start with {@code dir + "/"} (for the root, every entry, the root's own included),
     * sorted by path: the order a sorted map's range would give.
     */
    List<FileEntry> under(String dir) {
        if (!below.containsKey(dir) && !dir.equals("/")) {
            return List.of(); // a file replaced by a file: nothing below it
        }
        List<String> paths = new ArrayList<>();
        if (dir.equals("/") && byPath.containsKey("/")) {
            paths.add("/");
        }
        Deque<String> todo = new ArrayDeque<>();
        HashSet<String> seen = new HashSet<>();
        todo.push(dir);
        while (!todo.isEmpty()) {
            ArrayList<String> children = below.get(todo.pop());
            if (children == null) {
                continue;
            }
            for (String c : children) {
                if (byPath.containsKey(c)) {
                    paths.add(c);
                }
                if (below.containsKey(c) && seen.add(c)) {
                    todo.push(c);
                }
            }
        }
        if (paths.isEmpty()) {
            return List.of();
        }
        String[] sorted = paths.toArray(new String[0]);
        Arrays.sort(sorted);
        List<FileEntry> out = new ArrayList<>(sorted.length);
        for (int i = 0; i < sorted.length; i++) {
            if (i == 0 || !sorted[i].equals(sorted[i - 1])) {
                out.add(byPath.get(sorted[i]));
            }
        }
        return out;
    }

    /** The entries sorted by path, for the finished tree; the index is not used after. */
    FileEntry[] sorted() {
        below.clear();
        FileEntry[] all = byPath.values().toArray(new FileEntry[0]);
        Arrays.parallelSort(all, (a, b) -> a.path().compareTo(b.path()));
        return all;
    }
}
