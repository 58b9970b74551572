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
 * @param sha256 hex SHA-256 of a regular file's content, computed while streaming when the tree was asked to
 *     digest files (or the file's content was captured); else null
 * @param sha1 hex SHA-1 of the same, computed alongside (SPDX 2 requires it for files); else null
 */
public record FileEntry(String path, EntryType type, int mode, long uid, long gid, long size, String linkTarget,
                        boolean hardlink, int layer, String sha256, String sha1) {

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
