package dev.distill.sbom.tree;

/**
 * One path of the image's filesystem.
 *
 * <p>A tree holds one of these per file, a million for a large image, so it is a class laid out to be small rather
 * than a record: the type, the hardlink flag and the mode share one int, and the digests are 52 bytes in the tree's
 * {@link DigestPool} (64 bytes and 52, where a record of the same values took 72 bytes and two arrays of 88).
 * Entries are compared by identity: trees key their maps by instance.
 */
public final class FileEntry {
    private static final EntryType[] TYPES = EntryType.values();

    private final String path;
    private final String linkTarget;
    /** Where the content's SHA-256 and SHA-1 are, or null. */
    private final DigestPool pool;
    private final int digest;
    private final long size;
    private final long uid;
    private final long gid;
    private final int layer;
    /** Mode in bits 0-11, hardlink in bit 12, the type's ordinal from bit 13. */
    private final int bits;

    /**
     * An entry without digests (directories, links, devices, and files of a tree not asked to digest them).
     *
     * @param path absolute, normalised ("/usr/bin/env"); the root is "/"
     * @param mode permission and set-id/sticky bits (07777)
     * @param size bytes of content (regular files; for hardlinks the target's)
     * @param linkTarget the symlink's target as written, or for a hardlink the absolute path of the file it links to;
     *     else null
     * @param hardlink whether this regular file was written as a hardlink
     * @param layer index of the layer that last wrote it (bottom is 0), or -1 for a directory source
     */
    public FileEntry(String path, EntryType type, int mode, long uid, long gid, long size, String linkTarget,
                     boolean hardlink, int layer) {
        this(path, type, mode, uid, gid, size, linkTarget, hardlink, layer, null, -1);
    }

    /**
     * As the public constructor, with the content's SHA-256 and SHA-1 (computed while streaming when the tree was
     * asked to digest files, or the file was captured) at {@code digest} in {@code pool}; a null pool for none.
     */
    FileEntry(String path, EntryType type, int mode, long uid, long gid, long size, String linkTarget,
              boolean hardlink, int layer, DigestPool pool, int digest) {
        this.path = path;
        this.linkTarget = linkTarget;
        this.pool = pool;
        this.digest = digest;
        this.size = size;
        this.uid = uid;
        this.gid = gid;
        this.layer = layer;
        this.bits = (mode & 07777) | (hardlink ? 1 << 12 : 0) | type.ordinal() << 13;
    }

    /** A hardlink to {@code to} at {@code path}: the target's metadata and digests (shared, not copied). */
    static FileEntry hardlink(String path, FileEntry to, int layer) {
        return new FileEntry(path, EntryType.FILE, to.mode(), to.uid, to.gid, to.size,
                to.hardlink() ? to.linkTarget : to.path, true, layer, to.pool, to.digest);
    }

    /**
     * This entry filed at another path (a layer wrote it through a symlinked directory), with its digests when
     * {@code keepDigests}.
     */
    FileEntry at(String newPath, boolean keepDigests) {
        return new FileEntry(newPath, type(), mode(), uid, gid, size, linkTarget, hardlink(), layer,
                keepDigests ? pool : null, keepDigests ? digest : -1);
    }

    public String path() {
        return path;
    }

    public EntryType type() {
        return TYPES[bits >>> 13];
    }

    public int mode() {
        return bits & 07777;
    }

    public long uid() {
        return uid;
    }

    public long gid() {
        return gid;
    }

    public long size() {
        return size;
    }

    public String linkTarget() {
        return linkTarget;
    }

    public boolean hardlink() {
        return (bits & 1 << 12) != 0;
    }

    public int layer() {
        return layer;
    }

    /** SHA-256 of the content, or null. */
    public byte[] sha256Bytes() {
        return pool == null ? null : pool.copy(digest, 0, DigestPool.SHA256);
    }

    /** SHA-1 of the content, or null. */
    public byte[] sha1Bytes() {
        return pool == null ? null : pool.copy(digest, DigestPool.SHA256, DigestPool.SIZE - DigestPool.SHA256);
    }

    /** Hex SHA-256 of the content, or null. */
    public String sha256() {
        return pool == null ? null : pool.hex(digest, 0, DigestPool.SHA256);
    }

    /** Hex SHA-1 of the content, or null. */
    public String sha1() {
        return pool == null ? null : pool.hex(digest, DigestPool.SHA256, DigestPool.SIZE - DigestPool.SHA256);
    }

    public boolean isFile() {
        return type() == EntryType.FILE;
    }

    public boolean isDirectory() {
        return type() == EntryType.DIRECTORY;
    }

    public boolean isSymlink() {
        return type() == EntryType.SYMLINK;
    }

    /** The entry's name, the last path element. */
    public String name() {
        int slash = path.lastIndexOf('/');
        return path.substring(slash + 1);
    }

    @Override
    public String toString() {
        return "FileEntry[" + path + ", " + type() + ", layer " + layer + "]";
    }
}
