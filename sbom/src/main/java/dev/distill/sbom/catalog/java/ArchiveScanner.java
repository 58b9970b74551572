package dev.distill.sbom.catalog.java;

import dev.distill.oci.Digest;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads a Java archive as a stream (nothing extracted): its Maven {@code pom.properties} and {@code pom.xml}, its
 * manifest, and the archives nested in it, to a bounded depth, with the SHA-1 and SHA-256 of each nested archive
 * computed on the way. Every inflated byte is counted against a budget, so a zip bomb ends the scan with an error
 * instead of the machine's memory or time.
 */
final class ArchiveScanner {
    static final int MAX_DEPTH = 4;
    static final long MAX_INFLATED = 2L << 30;
    static final int MAX_ENTRIES = 500_000;
    private static final List<String> EXTENSIONS = List.of(".jar", ".war", ".ear", ".jpi", ".hpi");

    /** Why an archive could not be read. */
    static final class ArchiveException extends IOException {
        private static final long serialVersionUID = 1L;

        ArchiveException(String message) {
            super(message);
        }
    }

    /** What one archive holds. */
    record Archive(String path, String sha1, String sha256, List<Properties> poms, List<PomFile> pomFiles,
                   Manifest manifest, List<Archive> nested) {
    }

    private final long maxInflated;
    private long inflated;
    private int entries;

    ArchiveScanner() {
        this(MAX_INFLATED);
    }

    ArchiveScanner(long maxInflated) {
        this.maxInflated = maxInflated;
    }

    static boolean isArchive(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    /** Scans a top-level archive whose digests are already known. */
    Archive scan(String path, InputStream in, String sha1, String sha256) throws IOException {
        return scan(path, in, 0, sha1, sha256);
    }

    private Archive scan(String path, InputStream in, int depth, String sha1, String sha256) throws IOException {
        List<Properties> poms = new ArrayList<>();
        List<PomFile> pomFiles = new ArrayList<>();
        List<Archive> nested = new ArrayList<>();
        Manifest manifest = null;
        ZipInputStream zip = new ZipInputStream(in);
        ZipEntry e;
        while ((e = zip.getNextEntry()) != null) {
            if (++entries > MAX_ENTRIES) {
                throw new ArchiveException("more than " + MAX_ENTRIES + " entries");
            }
            String name = e.getName();
            if (name.startsWith("/") || name.startsWith("\\") || ("/" + name.replace('\\', '/') + "/").contains("/../")) {
                throw new ArchiveException("entry '" + name + "' points outside the archive");
            }
            if (e.isDirectory()) {
                continue;
            }
            InputStream entry = new Counting(zip);
            if (name.startsWith("META-INF/maven/") && name.endsWith("/pom.properties")) {
                Properties p = new Properties();
                p.load(new ByteArrayInputStream(readSmall(entry, 1 << 16, name)));
                poms.add(p);
            } else if (name.startsWith("META-INF/maven/") && name.endsWith("/pom.xml")) {
                byte[] xml = readSmall(entry, 1 << 20, name);
                try {
                    pomFiles.add(PomFile.parse(xml));
                } catch (IOException unreadable) {
                    // Only evidence for other jars' groups: a POM that does not parse gives none.
                }
            } else if (name.equals("META-INF/MANIFEST.MF")) {
                manifest = new Manifest(new ByteArrayInputStream(readSmall(entry, 1 << 20, name)));
            } else if (isArchive(name) && depth < MAX_DEPTH) {
                Digests digests = new Digests(entry);
                Archive inner = scan(path + "!/" + name, digests, depth + 1, null, null);
                digests.transferTo(java.io.OutputStream.nullOutputStream());
                nested.add(new Archive(inner.path(), digests.sha1(), digests.sha256(), inner.poms(),
                        inner.pomFiles(), inner.manifest(), inner.nested()));
            } else if (isArchive(name)) {
                throw new ArchiveException("archives nested deeper than " + MAX_DEPTH + " levels at '" + name + "'");
            }
            entry.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return new Archive(path, sha1, sha256, poms, pomFiles, manifest, nested);
    }

    private static byte[] readSmall(InputStream in, int max, String name) throws IOException {
        byte[] b = in.readNBytes(max + 1);
        if (b.length > max) {
            throw new ArchiveException("'" + name + "' is larger than " + max + " bytes");
        }
        return b;
    }

    /** Counts inflated bytes against the scan's budget; never closes the zip stream beneath. */
    private final class Counting extends FilterInputStream {
        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws ArchiveException {
            inflated += n;
            if (inflated > maxInflated) {
                throw new ArchiveException("inflates to more than " + maxInflated + " bytes (a zip bomb?)");
            }
        }

        @Override
        public void close() {
            // the zip stream is the caller's
        }
    }

    /** SHA-1 and SHA-256 of what passes through. */
    private static final class Digests extends FilterInputStream {
        private final MessageDigest sha1;
        private final MessageDigest sha256 = Digest.newSha256();

        Digests(InputStream in) {
            super(in);
            try {
                sha1 = MessageDigest.getInstance("SHA-1");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                sha1.update((byte) b);
                sha256.update((byte) b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                sha1.update(b, off, n);
                sha256.update(b, off, n);
            }
            return n;
        }

        @Override
        public void close() {
            // the zip stream is the caller's
        }

        String sha1() {
            return HexFormat.of().formatHex(sha1.digest());
        }

        String sha256() {
            return HexFormat.of().formatHex(sha256.digest());
        }
    }
}
