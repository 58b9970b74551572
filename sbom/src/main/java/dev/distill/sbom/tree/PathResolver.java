package dev.distill.sbom.tree;

import dev.distill.oci.ImageException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;

/**
 * Resolves paths inside the image root the way the kernel would inside a chroot: absolute symlink targets start at
 * the image root, {@code ..} stops at the root, and more than {@code maxHops} symlinks is a loop. Nothing here
 * ever touches the host filesystem.
 */
final class PathResolver {
    private PathResolver() {
    }

    /**
     * Returns the path {@code path} leads to after following symlinks in every element (the last one too when
     * {@code followLast}). Elements that do not exist are kept as written.
     */
    static String resolve(Function<String, FileEntry> entries, String path, boolean followLast, int maxHops)
            throws ImageException {
        Deque<String> todo = new ArrayDeque<>();
        pushElements(todo, path);
        StringBuilder current = new StringBuilder();
        int hops = 0;
        while (!todo.isEmpty()) {
            String element = todo.pop();
            if (element.isEmpty() || element.equals(".")) {
                continue;
            }
            if (element.equals("..")) {
                int slash = current.lastIndexOf("/");
                current.setLength(Math.max(slash, 0));
                continue;
            }
            int before = current.length();
            current.append('/').append(element);
            FileEntry e = entries.apply(current.toString());
            if (e != null && e.isSymlink() && (followLast || !todo.isEmpty())) {
                if (++hops > maxHops) {
                    throw new SymlinkLoopException("too many levels of symbolic links resolving '" + path
                            + "' (more than " + maxHops + " hops; a loop?)");
                }
                String target = e.linkTarget();
                current.setLength(before);
                if (target.startsWith("/")) {
                    current.setLength(0);
                }
                pushElements(todo, target);
            }
        }
        return current.length() == 0 ? "/" : current.toString();
    }

    private static void pushElements(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            todo.push(parts[i]);
        }
    }

    /** Thrown when resolving a path meets a symlink loop or too long a chain. */
    static final class SymlinkLoopException extends ImageException {
        private static final long serialVersionUID = 1L;

        SymlinkLoopException(String message) {
            super(message);
        }
    }
}
