package dev.distill.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static dev.distill.oci.testing.RawTar.concat;
import static dev.distill.oci.testing.RawTar.fixChecksum;
import static dev.distill.oci.testing.RawTar.pax;
import static dev.distill.oci.testing.RawTar.record;

import dev.distill.oci.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TarReader} against commons-compress's reading of the same archives (the oracle): every fixture layer, and
 * archives GNU tar writes in each of its formats, sparse files included. Then the errors of broken archives.
 */
@Timeout(60)
class TarReaderTest {
    @TempDir
    static Path tmp;
    static Path tree;

    /** A tree with what layers hold: long names and link targets, non-ASCII names, links, empty and sparse files. */
    @BeforeAll
    static void makeTree() throws Exception {
        tree = tmp.resolve("tree");
        Path deep = tree.resolve("d".repeat(60)).resolve("e".repeat(60)).resolve("f".repeat(60));
        Files.createDirectories(deep);
        Files.writeString(deep.resolve("g".repeat(90) + ".txt"), "deep\n");
        Files.writeString(tree.resolve("caf\u00e9-\u65e5\u672c.txt"), "unicode\n");
        for (int size : new int[] {0, 1, 511, 512, 513, 70000}) {
            byte[] b = new byte[size];
            for (int i = 0; i < size; i++) {
                b[i] = (byte) (i * 31 + size);
            }
            Files.write(tree.resolve("f" + size), b);
        }
        Files.createSymbolicLink(tree.resolve("short-link"), Path.of("f1"));
        Files.createSymbolicLink(tree.resolve("long-link"), Path.of("x".repeat(150)));
        Files.createLink(tree.resolve("hard"), tree.resolve("f513"));
        Files.createDirectories(tree.resolve("empty-dir"));
        run(List.of("mkfifo", tree.resolve("fifo").toString()));
        // holes on both sides of two data runs, and one file that is all hole
        try (RandomAccessFile f = new RandomAccessFile(tree.resolve("sparse").toFile(), "rw")) {
            f.setLength(3 << 20);
            f.seek(1 << 20);
            f.write("data one".repeat(1000).getBytes(StandardCharsets.US_ASCII));
            f.seek(2 << 20);
            f.write("data two".getBytes(StandardCharsets.US_ASCII));
        }
        try (RandomAccessFile f = new RandomAccessFile(tree.resolve("all-hole").toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        // thirty data runs: more than an old GNU header holds (4), so its map goes on in extension blocks
        try (RandomAccessFile f = new RandomAccessFile(tree.resolve("many-holes").toFile(), "rw")) {
            f.setLength(31L << 16);
            for (int i = 1; i <= 30; i++) {
                f.seek((long) i << 16);
                f.write(("run " + i).getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + out);
        }
    }

    /** One entry as a reader saw it, content digested. */
    private record Seen(String name, String kind, int mode, long uid, long gid, long size, String link,
                        String sha256) {
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] b = new byte[7000]; // not a multiple of anything the readers use
        for (int n; (n = in.read(b, 0, b.length)) >= 0; ) {
            md.update(b, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static List<Seen> ours(byte[] tar) throws Exception {
        List<Seen> out = new ArrayList<>();
        TarReader r = new TarReader(new ByteArrayInputStream(tar));
        for (TarReader.Entry e; (e = r.next()) != null; ) {
            if (e.kind() == TarReader.Kind.OTHER) {
                continue;
            }
            boolean file = e.kind() == TarReader.Kind.FILE;
            out.add(new Seen(stripSlash(e.name()), e.kind().name(), e.mode(), e.uid(), e.gid(), file ? e.size() : 0,
                    e.linkName(), file ? sha256(r.content()) : ""));
        }
        return out;
    }

    private static List<Seen> oracle(byte[] tar) throws Exception {
        List<Seen> out = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar), "UTF-8")) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                String kind = e.isLink() ? "HARDLINK" : e.isSymbolicLink() ? "SYMLINK" : e.isDirectory() ? "DIRECTORY"
                        : e.isCharacterDevice() ? "CHAR_DEVICE" : e.isBlockDevice() ? "BLOCK_DEVICE"
                        : e.isFIFO() ? "FIFO" : "FILE";
                boolean file = kind.equals("FILE");
                out.add(new Seen(stripSlash(e.getName()), kind, e.getMode() & 07777, e.getLongUserId(),
                        e.getLongGroupId(), file ? e.getRealSize() : 0, e.getLinkName(), file ? sha256(in) : ""));
            }
        }
        return out;
    }

    private static String stripSlash(String name) {
        return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    }

    private static byte[] gnuTar(String... options) throws Exception {
        Path out = Files.createTempFile(tmp, "archive", ".tar");
        List<String> cmd = new ArrayList<>(List.of("tar", "-C", tree.toString(), "-cf", out.toString()));
        cmd.addAll(List.of(options));
        cmd.add(".");
        run(cmd);
        return Files.readAllBytes(out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu", "oldgnu", "posix"})
    void readsWhatGnuTarWritesAsTheOracleDoes(String format) throws Exception {
        byte[] tar = gnuTar("--format=" + format);
        List<Seen> ours = ours(tar);
        assertEquals(oracle(tar), ours);
        assertTrue(ours.stream().anyMatch(s -> s.name().endsWith("g".repeat(90) + ".txt")), "long name read");
        assertTrue(ours.stream().anyMatch(s -> s.link().equals("x".repeat(150))), "long link target read");
        assertTrue(ours.stream().anyMatch(s -> s.kind().equals("FIFO")));
        assertTrue(ours.stream().anyMatch(s -> s.name().equals("./caf\u00e9-\u65e5\u672c.txt")));
    }

    @Test
    void readsUstarPrefixesAsTheOracleDoes() throws Exception {
        // ustar holds names of up to 255 bytes in prefix and name; GNU tar leaves out (and reports) longer ones
        Path out = tmp.resolve("ustar.tar");
        Process p = new ProcessBuilder("tar", "-C", tree.toString(), "-cf", out.toString(), "--format=ustar", ".")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        byte[] tar = Files.readAllBytes(out);
        List<Seen> ours = ours(tar);
        assertEquals(oracle(tar), ours);
        assertTrue(ours.stream().anyMatch(s -> s.name().length() > 100), "a name from prefix and name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--format=gnu", "--format=oldgnu", "--sparse-version=0.0", "--sparse-version=0.1",
        "--sparse-version=1.0"})
    void readsSparseFilesAsTheOracleDoes(String option) throws Exception {
        byte[] tar = option.startsWith("--sparse-version")
                ? gnuTar("--format=posix", "--sparse", option)
                : gnuTar(option, "--sparse");
        String raw = new String(tar, StandardCharsets.ISO_8859_1);
        assertTrue(raw.contains("GNU.sparse") || hasFlag(tar, 'S'), "GNU tar wrote a sparse entry");
        List<Seen> ours = ours(tar);
        assertEquals(oracle(tar), ours);
        Seen sparse = ours.stream().filter(s -> s.name().equals("./sparse")).findFirst().orElseThrow();
        assertEquals(3 << 20, sparse.size());
        assertEquals(sha256(Files.newInputStream(tree.resolve("sparse"))), sparse.sha256());
        Seen hole = ours.stream().filter(s -> s.name().equals("./all-hole")).findFirst().orElseThrow();
        assertEquals(sha256(new ByteArrayInputStream(new byte[1 << 20])), hole.sha256());
        Seen runs = ours.stream().filter(s -> s.name().equals("./many-holes")).findFirst().orElseThrow();
        assertEquals(sha256(Files.newInputStream(tree.resolve("many-holes"))), runs.sha256());
    }

    private static boolean hasFlag(byte[] tar, char flag) {
        for (int at = 0; at + 512 <= tar.length; at += 512) {
            if (tar[at + 156] == flag && tar[at + 257] == 'u') {
                return true;
            }
        }
        return false;
    }

    @Test
    void readsEveryFixtureLayerAsTheOracleDoes() throws Exception {
        int layers = 0;
        List<Path> blobs;
        try (Stream<Path> s = Files.walk(Fixtures.dir())) {
            blobs = s.filter(p -> p.getParent().endsWith(Path.of("blobs", "sha256"))).sorted().toList();
        }
        for (Path blob : blobs) {
            byte[] head = new byte[4];
            try (InputStream in = Files.newInputStream(blob)) {
                in.readNBytes(head, 0, 4);
            }
            byte[] tar;
            if ((head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(blob))) {
                    tar = in.readAllBytes();
                }
            } else if ((head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5) {
                try (InputStream in = new ZstdCompressorInputStream(Files.newInputStream(blob))) {
                    tar = in.readAllBytes();
                }
            } else {
                continue; // configs, manifests and indexes
            }
            assertEquals(oracle(tar), ours(tar), blob.toString());
            layers++;
        }
        assertTrue(layers >= 10, "fixture layers read: " + layers);
    }

    @Test
    void readsBase256NumbersAndPaxRecordsAsTheOracleDoes() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_STAR); // uid and gid in base-256
            TarArchiveEntry big = new TarArchiveEntry("big-owner");
            big.setUserId(1L << 40);
            big.setGroupId(3_000_000_000L);
            big.setSize(3);
            out.putArchiveEntry(big);
            out.write(new byte[] {1, 2, 3});
            out.closeArchiveEntry();
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX); // the same in pax records
            TarArchiveEntry pax = new TarArchiveEntry("pax-owner");
            pax.setUserId(1L << 40);
            pax.setSize(1);
            out.putArchiveEntry(pax);
            out.write(9);
            out.closeArchiveEntry();
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry longName = new TarArchiveEntry("n/".repeat(200) + "\u00fc");
            out.putArchiveEntry(longName);
            out.closeArchiveEntry();
        }
        byte[] tar = bytes.toByteArray();
        List<Seen> ours = ours(tar);
        // commons-compress 1.28 misreads base-256 owner ids (2^40 as 0, 3,000,000,000 as a negative number): the
        // first entry is held to the values written instead
        assertEquals(oracle(tar).subList(1, 3), ours.subList(1, 3));
        assertEquals(1L << 40, ours.get(0).uid());
        assertEquals(3_000_000_000L, ours.get(0).gid());
        assertEquals(1L << 40, ours.get(1).uid());
        assertEquals("n/".repeat(200) + "\u00fc", ours.get(2).name());
    }

    private static List<TarReader.Entry> entries(byte[] tar) throws IOException {
        List<TarReader.Entry> out = new ArrayList<>();
        TarReader r = new TarReader(new ByteArrayInputStream(tar));
        for (TarReader.Entry e; (e = r.next()) != null; ) {
            out.add(e);
        }
        return out;
    }

    /**
     * docker and containerd ignore global pax headers (Go returns them as entries of their own): a global {@code size}
     * or {@code path} must not change what later entries are, and a global header ends a pending extended header.
     */
    @Test
    void globalPaxHeadersAreIgnoredAndEndWhatWasPending() throws Exception {
        byte[] tar = concat(record("pax_global_header", 'g', pax("uid", "77") + pax("size", "1024")),
                record("a", '0', ""), record("evil", '0', "x"), record("x", 'x', pax("path", "renamed")),
                record("g", 'g', ""), record("c", '0', ""));
        List<TarReader.Entry> seen = entries(tar);
        assertEquals(List.of("a", "evil", "c"), seen.stream().map(TarReader.Entry::name).toList());
        assertEquals(0, seen.get(0).uid());
        assertEquals(1, seen.get(1).size());
    }

    /** As in Go: a GNU long name or link wins over a pax path or linkpath in the same entry's headers. */
    @Test
    void aGnuLongNameWinsOverAPaxPath() throws Exception {
        byte[] tar = concat(record("x", 'x', pax("path", "usr/bin/innocent") + pax("linkpath", "pax-target")),
                record("././@LongLink", 'L', "usr/bin/evil"), record("././@LongLink", 'K', "gnu-target"),
                record("short", '2', ""));
        TarReader.Entry e = entries(tar).get(0);
        assertEquals("usr/bin/evil", e.name());
        assertEquals("gnu-target", e.linkName());
    }

    /** Only an old-style header (type NUL) whose name ends in '/' is a directory; a '0' one is a file with content. */
    @Test
    void onlyAnOldStyleHeaderWithASlashIsADirectory() throws Exception {
        byte[] tar = concat(record("usr/bin/tool/", '0', "abc"), record("old-dir/", '\0', ""));
        TarReader r = new TarReader(new ByteArrayInputStream(tar));
        TarReader.Entry tool = r.next();
        assertEquals(TarReader.Kind.FILE, tool.kind());
        assertEquals("abc", new String(r.content().readAllBytes(), StandardCharsets.US_ASCII));
        assertEquals(TarReader.Kind.DIRECTORY, r.next().kind());
    }

    /** An unknown GNU sparse version is read as a plain file of its stored bytes, as Go reads it. */
    @Test
    void anUnknownSparseVersionIsAPlainFile() throws Exception {
        String records = pax("GNU.sparse.major", "2") + pax("GNU.sparse.minor", "0") + pax("GNU.sparse.size", "100")
                + pax("GNU.sparse.name", "big");
        TarReader r = new TarReader(new ByteArrayInputStream(concat(record("x", 'x', records),
                record("stored", '0', "data"))));
        TarReader.Entry e = r.next();
        assertEquals("stored", e.name());
        assertEquals(4, e.size());
        assertEquals("data", new String(r.content().readAllBytes(), StandardCharsets.US_ASCII));
    }

    @Test
    void partlyReadContentIsSkippedAndReadsEndAtTheEntry() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(record("a", '0', "x".repeat(1000)));
        bytes.write(record("b", '0', "yz"));
        TarReader r = new TarReader(new ByteArrayInputStream(bytes.toByteArray()));
        r.next();
        assertEquals('x', r.content().read());
        TarReader.Entry b = r.next();
        assertEquals("b", b.name());
        assertEquals("yz", new String(r.content().readAllBytes(), StandardCharsets.US_ASCII));
        assertEquals(-1, r.content().read());
        assertNull(r.next(), "a clean end at a header boundary is an end");
    }

    // ---- broken archives

    private static IOException failure(byte[] tar) {
        return assertThrows(IOException.class, () -> {
            TarReader r = new TarReader(new ByteArrayInputStream(tar));
            while (r.next() != null) {
                r.content().readAllBytes();
            }
        });
    }

    @Test
    void aBadChecksumIsAnError() throws Exception {
        byte[] tar = record("a", '0', "abc");
        tar[0] = 'b';
        assertEquals("a tar header's checksum does not match", failure(tar).getMessage());
    }

    @Test
    void aStreamEndingInsideAHeaderOrAnEntryIsAnError() throws Exception {
        byte[] tar = record("file", '0', "x".repeat(600));
        assertEquals("the stream ends inside a tar header", failure(java.util.Arrays.copyOf(tar, 300)).getMessage());
        assertEquals("the stream ends inside the entry 'file'",
                failure(java.util.Arrays.copyOf(tar, 700)).getMessage());
    }

    /**
     * A size just under 2^63 that is not a multiple of 512 made skip and padding overflow together: nothing was
     * skipped, and the entry's content was read as the next header. Now the skip runs into the end of the stream.
     */
    @Test
    void aSizeNearTwoToTheSixtyThirdDoesNotLoseThePlace() throws Exception {
        byte[] label = record("label", 'V', "");
        label[124] = (byte) 0x80; // base-256: 2^63 - 1 in the last eight bytes
        for (int i = 125; i < 136; i++) {
            label[i] = (byte) (i < 128 ? 0 : 0xff);
        }
        label[128] = 0x7f;
        fixChecksum(label);
        byte[] tar = concat(label, record("hidden", '0', "x"), new byte[1024]);
        List<String> names = new ArrayList<>();
        IOException e = assertThrows(IOException.class, () -> {
            TarReader r = new TarReader(new ByteArrayInputStream(tar));
            for (TarReader.Entry x; (x = r.next()) != null; ) {
                names.add(x.name());
            }
        });
        assertEquals(List.of("label"), names);
        assertEquals("the stream ends inside the entry 'label'", e.getMessage());
    }

    @Test
    void malformedNumbersAndRecordsAreErrors() throws Exception {
        byte[] tar = record("a", '0', "");
        tar[108] = '9'; // uid
        fixChecksum(tar);
        assertEquals("the uid field of a tar header is not an octal number", failure(tar).getMessage());
        assertEquals("a pax extended header has a malformed record",
                failure(record("x", 'x', "99 path=a\n")).getMessage());
        assertEquals("a pax extended header has a record without a key",
                failure(record("x", 'x', "6 =ab\n")).getMessage());
        assertEquals("the pax size value '-1' is not a number",
                failure(concat(record("x", 'x', pax("size", "-1")), record("a", '0', ""))).getMessage());
        assertEquals("the tar archive ends after an extended header, without its entry",
                failure(record("L", 'L', "name")).getMessage());
    }

    @Test
    void oversizedExtendedHeadersAreRefusedBeforeTheyAreRead() throws Exception {
        byte[] tar = record("L", 'L', "");
        byte[] size = String.format("%011o", 1L << 30).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, tar, 124, 11);
        fixChecksum(tar);
        assertEquals("an extended header ('L') of 1073741824 bytes, over the limit of 1048576",
                failure(tar).getMessage());
    }

    @Test
    void sparseMapsThatDisagreeWithTheEntryAreErrors() throws Exception {
        String map = pax("GNU.sparse.size", "100") + pax("GNU.sparse.map", "0,10,5,10");
        assertEquals("a sparse file's map has overlapping or out-of-range segments",
                failure(concat(record("x", 'x', map), record("s", '0', "x".repeat(20)))).getMessage());
        map = pax("GNU.sparse.size", "100") + pax("GNU.sparse.map", "0,10");
        assertEquals("a sparse file's map describes 10 stored bytes, the entry holds 20",
                failure(concat(record("x", 'x', map), record("s", '0', "x".repeat(20)))).getMessage());
    }
}
