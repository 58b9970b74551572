package dev.distill.oci.testing;

import dev.distill.oci.Compression;
import dev.distill.oci.Digest;
import dev.distill.oci.MediaTypes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/**
 * Writes a layer tar in memory, entry by entry, with fixed timestamps and root ownership so the bytes are the same
 * every run. Names are written as given (also hostile ones such as {@code ../x}), so tests can build what no
 * well-behaved tool would.
 */
public final class LayerBuilder {
    /** 2024-01-01T00:00:00Z: every entry's mtime. */
    public static final long EPOCH_SECONDS = 1_704_067_200L;

    private final ByteArrayOutputStream tarBytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;
    private byte[] finished;

    public LayerBuilder() {
        tar = new TarArchiveOutputStream(tarBytes, "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    private TarArchiveEntry entry(String name, byte type) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setModTime(EPOCH_SECONDS * 1000);
        e.setUserId(0);
        e.setGroupId(0);
        e.setUserName("root");
        e.setGroupName("root");
        return e;
    }

    private LayerBuilder put(TarArchiveEntry e, byte[] data) {
        try {
            tar.putArchiveEntry(e);
            if (data != null) {
                tar.write(data);
            }
            tar.closeArchiveEntry();
            return this;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public LayerBuilder dir(String name, int mode) {
        TarArchiveEntry e = entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
        e.setMode(040000 | mode);
        return put(e, null);
    }

    public LayerBuilder dir(String name) {
        return dir(name, 0755);
    }

    public LayerBuilder file(String name, byte[] data, int mode) {
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL);
        e.setMode(0100000 | mode);
        e.setSize(data.length);
        return put(e, data);
    }

    public LayerBuilder file(String name, String text) {
        return file(name, text.getBytes(StandardCharsets.UTF_8), 0644);
    }

    public LayerBuilder file(String name, String text, int mode, long uid, long gid) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL);
        e.setMode(0100000 | mode);
        e.setSize(data.length);
        e.setUserId(uid);
        e.setGroupId(gid);
        return put(e, data);
    }

    public LayerBuilder symlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK);
        e.setMode(0120777);
        e.setLinkName(target);
        return put(e, null);
    }

    public LayerBuilder hardlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_LINK);
        e.setMode(0100644);
        e.setLinkName(target);
        return put(e, null);
    }

    public LayerBuilder fifo(String name) {
        TarArchiveEntry e = entry(name, TarConstants.LF_FIFO);
        e.setMode(010644);
        return put(e, null);
    }

    public LayerBuilder charDevice(String name, int major, int minor) {
        TarArchiveEntry e = entry(name, TarConstants.LF_CHR);
        e.setMode(020666);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        return put(e, null);
    }

    /** Deletes {@code path} (and what is below it) of lower layers. */
    public LayerBuilder whiteout(String path) {
        int slash = path.lastIndexOf('/');
        String parent = slash < 0 ? "" : path.substring(0, slash + 1);
        return file(parent + ".wh." + path.substring(slash + 1), new byte[0], 0644);
    }

    /** Hides everything lower layers put below {@code dir}. */
    public LayerBuilder opaque(String dir) {
        return file((dir.endsWith("/") ? dir : dir + "/") + ".wh..wh..opq", new byte[0], 0644);
    }

    /**
     * Adds a host directory's tree (as {@code dpkg-deb -x} left it) under {@code prefix}, sorted, owned by root,
     * keeping modes, symlinks and hardlinks.
     */
    public LayerBuilder tree(Path root, String prefix) throws IOException {
        List<Path> paths;
        try (Stream<Path> s = Files.walk(root)) {
            paths = new ArrayList<>(s.filter(p -> !p.equals(root)).sorted().toList());
        }
        Map<Object, String> seen = new java.util.HashMap<>();
        for (Path p : paths) {
            String name = prefix + root.relativize(p).toString();
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,ino,nlink", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode") & 07777;
            TarArchiveEntry e;
            if (Files.isSymbolicLink(p)) {
                e = entry(name, TarConstants.LF_SYMLINK);
                e.setMode(0120777);
                e.setLinkName(Files.readSymbolicLink(p).toString());
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                e = entry(name + "/", TarConstants.LF_DIR);
                e.setMode(040000 | mode);
            } else if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                // Device nodes and fifos are recorded, never read (reading /dev/zero would not end).
                int type = (Integer) a.get("mode") & 0170000;
                if (type != 0020000 && type != 0060000 && type != 0010000) {
                    continue; // sockets do not go into layers
                }
                e = entry(name, type == 0020000 ? TarConstants.LF_CHR : type == 0060000 ? TarConstants.LF_BLK
                        : TarConstants.LF_FIFO);
                e.setMode(type | mode);
                long rdev = ((Number) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).longValue();
                e.setDevMajor((int) ((rdev >> 8) & 0xfff));
                e.setDevMinor((int) ((rdev & 0xff) | ((rdev >> 12) & 0xfff00)));
            } else {
                String first = (Integer) a.get("nlink") > 1 ? seen.putIfAbsent(a.get("ino"), name) : null;
                if (first != null) {
                    e = entry(name, TarConstants.LF_LINK);
                    e.setMode(0100000 | mode);
                    e.setLinkName(first);
                } else {
                    byte[] data = Files.readAllBytes(p);
                    e = entry(name, TarConstants.LF_NORMAL);
                    e.setMode(0100000 | mode);
                    e.setSize(data.length);
                    e.setUserId(((Number) a.get("uid")).longValue());
                    e.setGroupId(((Number) a.get("gid")).longValue());
                    put(e, data);
                    continue;
                }
            }
            e.setUserId(((Number) a.get("uid")).longValue());
            e.setGroupId(((Number) a.get("gid")).longValue());
            put(e, null);
        }
        return this;
    }

    /** The uncompressed tar, ended with its two zero blocks. */
    public byte[] tar() {
        try {
            if (finished == null) {
                tar.finish();
                finished = tarBytes.toByteArray();
            }
            return finished;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Finishes the layer and compresses it. */
    public BuiltLayer build(Compression compression) {
        byte[] plain = tar();
        byte[] blob = compress(plain, compression);
        String mediaType = switch (compression) {
            case NONE -> MediaTypes.OCI_LAYER;
            case GZIP -> MediaTypes.OCI_LAYER_GZIP;
            case ZSTD -> MediaTypes.OCI_LAYER_ZSTD;
        };
        return new BuiltLayer(blob, Digest.sha256(blob), Digest.sha256(plain), mediaType, plain);
    }

    public static byte[] compress(byte[] plain, Compression compression) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (OutputStream c = switch (compression) {
                case NONE -> out;
                case GZIP -> new GZIPOutputStream(out);
                case ZSTD -> new ZstdCompressorOutputStream(out, 3);
            }) {
                c.write(plain);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A finished layer: the blob as stored, its digest, and the digest of the uncompressed tar. */
    public record BuiltLayer(byte[] blob, Digest digest, Digest diffId, String mediaType, byte[] uncompressed) {
    }
}
