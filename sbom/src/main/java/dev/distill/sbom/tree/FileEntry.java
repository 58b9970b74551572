package dev.distill.sbom.tree;

/**
 * One path of the image's filesystem.
 *
 * @param path absolute, normalised ("/usr/bin/env"); the root is "/"
 * @param mode permission and set-id/sticky bits (07777)
 * @param size bytes of content (regular files; for hardlinks the target's)
 * @param linkTarget the symlink's target as written, or for a hardlink the absolute path of the file it links to;
 *     else null
 * @param hardlink whether this regular file was written as a hardlink
 * @param layer index of the layer that last wrote it (bottom is 0), or -1 for a directory source
 * @param sha256Bytes SHA-256 of a regular file's content, computed while streaming when the tree was asked to
 *     digest files (or the file's content was captured); else null. Kept as bytes, not hex: a tree of a million
 *     files holds a million of them.
 * @param sha1Bytes SHA-1 of the same, computed alongside (SPDX 2 requires it for files); else null
 */
public record FileEntry(String path, EntryType type, int mode, long uid, long gid, long size, String linkTarget,
                        boolean hardlink, int layer, byte[] sha256Bytes, byte[] sha1Bytes) {

    /** Hex SHA-256 of the content, or null. */
    public String sha256() {
        return sha256Bytes == null ? null : java.util.HexFormat.of().formatHex(sha256Bytes);
    }

    /** Hex SHA-1 of the content, or null. */
    public String sha1() {
        return sha1Bytes == null ? null : java.util.HexFormat.of().formatHex(sha1Bytes);
    }

    // Equality compares the digest arrays by reference (as records do): entries are map keys by instance only.

    public boolean isFile() {
        return type == EntryType.FILE;
    }

    public boolean isDirectory() {
        return type == EntryType.DIRECTORY;
    }

    public boolean isSymlink() {
        return type == EntryType.SYMLINK;
    }

    /** The entry's name, the last path element. */
    public String name() {
        int slash = path.lastIndexOf('/');
        return path.substring(slash + 1);
    }
}
