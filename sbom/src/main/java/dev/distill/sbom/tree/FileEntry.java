package dev.distill.sbom.tree;

/**
 * One path of the image's filesystem.
 *
 * <p>A tree holds one of these per file, a million for a large image, so it is a class laid out to be small rather
 * than a record (40 bytes): the entry keeps its directory's path (one string shared by the entries of a directory)
 * and its name and digests in an {@link EntryPool} (a dozen bytes for a short name, 52 for the digests), not a path
 * string of its own; the type, the hardlink flag, the mode and the layer share one int, uid and gid another, the
 * size a third. A link's target, and ids, layers or sizes too large for those fields, are in the pool instead (a
 * "wide" entry). Entries are compared by identity: trees key their maps by instance.
 */
public final class FileEntry {
    private static final EntryType[] TYPES = EntryType.values();
    private static final int HARDLINK = 1 << 12;
    private static final int WIDE = 1 << 13;
    private static final int TYPE_SHIFT = 14;
    private static final int LAYER_SHIFT = 17;
    /** The largest layer index, plus one, kept in {@link #bits}; uid and gid below this are kept in {@link #ids}. */
    private static final int SMALL = 1 << 15;
    private static final int ID_SMALL = 1 << 16;
    /** Sizes below this are kept in {@link #size} (as an unsigned int). */
    private static final long SIZE_SMALL = 1L << 32;

    /** The directory's path ("/" for the root's children; "" for the root itself). */
    private final String dir;
    /** Where the name, the content's SHA-256 and SHA-1 (when digested), and a wide entry's fields are. */
    private final EntryPool pool;
    private final int name;
    private final int digest;
    /** The size as an unsigned int (0 when {@link #WIDE} is set). */
    private final int size;
    /**
     * uid in the upper 16 bits, gid in the lower, or when {@link #WIDE} is set, where uid, gid, layer, size and
     * link target are in the pool.
     */
    private final int ids;
    /**
     * Mode in bits 0-11, hardlink in bit 12, wide in bit 13, the type's ordinal in bits 14-16, the layer plus one from
     * bit 17 (0 when {@link #WIDE} is set).
     */
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
        this(dirOf(path), path, new EntryPool(), type, mode, uid, gid, size, linkTarget, hardlink, layer, -1);
    }

    /**
     * An entry named by the characters of {@code path} after its last '/', in the directory {@code dir} (a string
     * equal to the characters before it, "/" for the root's children, "" for the root), with its name stored in
     * {@code pool}, and its digests at {@code digest} there (or -1 for none).
     */
    FileEntry(String dir, String path, EntryPool pool, EntryType type, int mode, long uid, long gid, long size,
              String linkTarget, boolean hardlink, int layer, int digest) {
        this.dir = dir;
        this.pool = pool;
        this.name = pool.addName(path, path.lastIndexOf('/') + 1);
        this.digest = digest;
        boolean wide = uid < 0 || uid >= ID_SMALL || gid < 0 || gid >= ID_SMALL || layer < -1 || layer + 1 >= SMALL
                || size < 0 || size >= SIZE_SMALL || linkTarget != null;
        this.size = wide ? 0 : (int) size;
        this.ids = wide ? pool.addWide(uid, gid, layer, size, linkTarget) : (int) uid << 16 | (int) gid;
        this.bits = (mode & 07777) | (hardlink ? HARDLINK : 0) | (wide ? WIDE : 0) | type.ordinal() << TYPE_SHIFT
                | (wide ? 0 : layer + 1) << LAYER_SHIFT;
    }

    /** The directory part of an absolute, normalised path: "/" for "/usr", "" for "/". */
    static String dirOf(String path) {
        int slash = path.lastIndexOf('/');
        return path.length() == 1 ? "" : slash == 0 ? "/" : path.substring(0, slash);
    }

    /**
     * A hardlink to {@code to} at {@code path} (in {@code dir}), its name stored in {@code pool}: the target's
     * metadata, and its digests copied to {@code pool}.
     */
    static FileEntry hardlink(String dir, String path, EntryPool pool, FileEntry to, int layer) {
        return new FileEntry(dir, path, pool, EntryType.FILE, to.mode(), to.uid(), to.gid(), to.size(),
                to.hardlink() ? to.linkTarget() : to.path(), true, layer, to.copyDigest(pool));
    }

    /**
     * This entry filed at another path (in {@code dir}; a layer wrote it through a symlinked directory), its name
     * stored in {@code pool}, with its digests (copied to {@code pool}) when {@code keepDigests}.
     */
    FileEntry at(String newDir, String newPath, EntryPool to, boolean keepDigests) {
        return new FileEntry(newDir, newPath, to, type(), mode(), uid(), gid(), size(), linkTarget(), hardlink(),
                layer(), keepDigests ? copyDigest(to) : -1);
    }

    private int copyDigest(EntryPool to) {
        return digest < 0 ? -1 : to.copy(pool, digest);
    }

    /** The directory's path as filed: "/" for the root's children, "" for the root. */
    String dir() {
        return dir;
    }

    /** Compares this entry's name with characters {@code from} to {@code to} of {@code s} (and a '/'). */
    int compareName(String s, int from, int to, boolean slash) {
        return pool.compare(name, s, from, to, slash);
    }

    /** Compares this entry's name with another's. */
    int compareName(FileEntry other) {
        return pool.compare(name, other.pool, other.name);
    }

    public String path() {
        if (dir.isEmpty()) {
            return "/";
        }
        String n = pool.name(name);
        return dir.length() == 1 ? "/" + n : dir + "/" + n;
    }

    public EntryType type() {
        return TYPES[bits >>> TYPE_SHIFT & 7];
    }

    public int mode() {
        return bits & 07777;
    }

    public long uid() {
        return (bits & WIDE) != 0 ? pool.uid(ids) : ids >>> 16;
    }

    public long gid() {
        return (bits & WIDE) != 0 ? pool.gid(ids) : ids & 0xffff;
    }

    public long size() {
        return (bits & WIDE) != 0 ? pool.size(ids) : Integer.toUnsignedLong(size);
    }

    public String linkTarget() {
        return (bits & WIDE) != 0 ? pool.linkTarget(ids) : null;
    }

    public boolean hardlink() {
        return (bits & HARDLINK) != 0;
    }

    public int layer() {
        return (bits & WIDE) != 0 ? pool.layer(ids) : (bits >>> LAYER_SHIFT) - 1;
    }

    /** SHA-256 of the content, or null. */
    public byte[] sha256Bytes() {
        return digest < 0 ? null : pool.copy(digest, 0, EntryPool.SHA256);
    }

    /** SHA-1 of the content, or null. */
    public byte[] sha1Bytes() {
        return digest < 0 ? null : pool.copy(digest, EntryPool.SHA256, EntryPool.SIZE - EntryPool.SHA256);
    }

    /** Hex SHA-256 of the content, or null. */
    public String sha256() {
        return digest < 0 ? null : pool.hex(digest, 0, EntryPool.SHA256);
    }

    /** Hex SHA-1 of the content, or null. */
    public String sha1() {
        return digest < 0 ? null : pool.hex(digest, EntryPool.SHA256, EntryPool.SIZE - EntryPool.SHA256);
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
        return pool.name(name);
    }

    @Override
    public String toString() {
        return "FileEntry[" + path() + ", " + type() + ", layer " + layer() + "]";
    }
}
