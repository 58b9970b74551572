package dev.distill.sbom.tree;

import dev.distill.oci.ImageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Feeds a root filesystem directory ({@code dir:}) to the builder: a walk that never follows a symlink, in sorted
 * order so that hardlink pairs are told apart the same way every run.
 */
final class DirectoryWalker {
    private static final int S_IFMT = 0170000;

    private final FileTreeBuilder builder;
    private final String reference;
    private final Map<String, String> inodes = new HashMap<>();

    DirectoryWalker(FileTreeBuilder builder, String reference) {
        this.builder = builder;
        this.reference = reference;
    }

    void walk(Path root) throws IOException {
        Path base = root.toRealPath();
        Deque<Path> dirs = new ArrayDeque<>();
        dirs.push(base);
        while (!dirs.isEmpty()) {
            Path dir = dirs.pop();
            List<Path> children;
            try (Stream<Path> s = Files.list(dir)) {
                children = s.sorted().toList();
            } catch (IOException e) {
                throw new ImageException(reference + ": cannot list " + dir + " (" + e.getMessage() + ")", e);
            }
            List<Path> subdirs = new java.util.ArrayList<>();
            for (Path child : children) {
                if (add(base, child)) {
                    subdirs.add(child);
                }
            }
            for (int i = subdirs.size() - 1; i >= 0; i--) {
                dirs.push(subdirs.get(i));
            }
        }
    }

    /** Adds one path; true when it is a directory to descend into. */
    private boolean add(Path base, Path p) throws IOException {
        String path = "/" + base.relativize(p).toString().replace('\\', '/');
        builder.countEntry(reference);
        builder.checkPathLength(path, reference);
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:mode,uid,gid,size,ino,dev,nlink", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new ImageException(reference + ": cannot read " + path + " (" + e.getMessage() + ")", e);
        }
        int mode = (Integer) a.get("mode");
        long uid = ((Number) a.get("uid")).longValue();
        long gid = ((Number) a.get("gid")).longValue();
        long size = (Long) a.get("size");
        EntryType type = switch (mode & S_IFMT) {
            case 0040000 -> EntryType.DIRECTORY;
            case 0120000 -> EntryType.SYMLINK;
            case 0020000 -> EntryType.CHAR_DEVICE;
            case 0060000 -> EntryType.BLOCK_DEVICE;
            case 0010000 -> EntryType.FIFO;
            case 0140000 -> EntryType.SOCKET;
            default -> EntryType.FILE;
        };
        int perm = mode & 07777;
        switch (type) {
            case SYMLINK -> builder.put(path, type, perm, uid, gid, Files.readSymbolicLink(p).toString(), -1);
            case FILE -> addFile(p, path, perm, uid, gid, size, a);
            default -> builder.put(path, type, perm, uid, gid, null, -1);
        }
        return type == EntryType.DIRECTORY;
    }

    private void addFile(Path p, String path, int perm, long uid, long gid, long size, Map<String, Object> a)
            throws IOException {
        if ((Integer) a.get("nlink") > 1) {
            String key = a.get("dev") + ":" + a.get("ino");
            String first = inodes.putIfAbsent(key, path);
            if (first != null) {
                FileEntry to = builder.entryAt(first);
                builder.addHardlink(path, to, -1);
                return;
            }
        }
        builder.checkFileSize(path, size, reference);
        builder.countBytes(size, reference);
        if (builder.readsContent(path)) {
            try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                builder.addFile(path, EntryType.FILE, perm, uid, gid, size, null, -1, in);
            }
        } else {
            builder.addFile(path, EntryType.FILE, perm, uid, gid, size, null, -1, InputStream.nullInputStream());
        }
    }
}
