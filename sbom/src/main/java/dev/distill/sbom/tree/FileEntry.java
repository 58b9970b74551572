package dev.distill.sbom.tree;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One path of the image's filesystem.
 *
 * <p>A tree holds one of these per file, a million for a large image, so it is a class laid out to be small rather
 * than a record: the type, the hardlink flag and the mode share one int, and the two digests share one array (56
 * bytes plus 72 for the digests, where a record of the same values took 72 plus 88, in two arrays). Entries are
 * compared by identity: trees key their maps by instance.
 */
public final class FileEntry {
    private static final EntryType[] TYPES = EntryType.values();
    private static final int SHA256_LENGTH = 32;

    private final String path;
    private final String linkTarget;
    /** SHA-256 then SHA-1 of the content, or null. */
    private final byte[] digests;
    private final long size;
    private final long uid;
    private final long gid;
    private final int layer;
    /** Mode in bits 0-11, hardlink in bit 12, the type's ordinal from bit 13. */
    private final int bits;

    /**
     * @param path absolute, normalised ("/usr/bin/env"); the root is "/"
     * @param mode permission and set-id/sticky bits (07777)
     * @param size bytes of content (regular files; for hardlinks the target's)
     * @param linkTarget the symlink's target as written, or for a hardlink the absolute path of the file it links to;
     *     else null
     * @param hardlink whether this regular file was written as a hardlink
     * @param layer index of the layer that last wrote it (bottom is 0), or -1 for a directory source
     * @param sha256 SHA-256 of a regular file's content, computed while streaming when the tree was asked to digest
     *     files (or the file's content was captured); else null
     * @param sha1 SHA-1 of the same, computed alongside (SPDX 2 requires it for files); null exactly when sha256 is
     */
    public FileEntry(String path, EntryType type, int mode, long uid, long gid, long size, String linkTarget,
                     boolean hardlink, int layer, byte[] sha256, byte[] sha1) {
        this(path, type, mode, uid, gid, size, linkTarget, hardlink, layer, join(sha256, sha1));
    }

    /** As the public constructor, with both digests in one array as {@link HashingInputStream#digests()} gives. */
    FileEntry(String path, EntryType type, int mode, long uid, long gid, long size, String linkTarget,
              boolean hardlink, int layer, byte[] digests) {
        this.path = path;
        this.linkTarget = linkTarget;
        this.digests = digests;
        this.size = size;
        this.uid = uid;
        this.gid = gid;
        this.layer = layer;
        this.bits = (mode & 07777) | (hardlink ? 1 << 12 : 0) | type.ordinal() << 13;
    }

    private static byte[] join(byte[] sha256, byte[] sha1) {
        if (sha256 == null || sha1 == null) {
            if (sha256 != sha1) {
                throw new IllegalArgumentException("both digests or neither");
            }
            return null;
        }
        if (sha256.length != SHA256_LENGTH || sha1.length != 20) {
            throw new IllegalArgumentException("a SHA-256 is 32 bytes and a SHA-1 20");
        }
        byte[] both = Arrays.copyOf(sha256, SHA256_LENGTH + 20);
        System.arraycopy(sha1, 0, both, SHA256_LENGTH, 20);
        return both;
    }

    /** A hardlink to {@code to} at {@code path}: the target's metadata and digests (shared, not copied). */
    static FileEntry hardlink(String path, FileEntry to, int layer) {
        return new FileEntry(path, EntryType.FILE, to.mode(), to.uid, to.gid, to.size,
                to.hardlink() ? to.linkTarget : to.path, true, layer, to.digests);
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
        return digests == null ? null : Arrays.copyOf(digests, SHA256_LENGTH);
    }

    /** SHA-1 of the content, or null. */
    public byte[] sha1Bytes() {
        return digests == null ? null : Arrays.copyOfRange(digests, SHA256_LENGTH, digests.length);
    }

    /** Hex SHA-256 of the content, or null. */
    public String sha256() {
        return digests == null ? null : HexFormat.of().formatHex(digests, 0, SHA256_LENGTH);
    }

    /** Hex SHA-1 of the content, or null. */
    public String sha1() {
        return digests == null ? null : HexFormat.of().formatHex(digests, SHA256_LENGTH, digests.length);
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
