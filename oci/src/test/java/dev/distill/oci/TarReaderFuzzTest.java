package dev.distill.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Any bytes as a tar: {@link TarReader} gives entries whose content is exactly as long as their size, or fails with
 * an {@link IOException} that says why; never another exception, never more entries than the bytes have headers.
 * Content is read up to 1 MiB per entry (a sparse file may declare far more). Seeds are small tars GNU tar wrote
 * (GNU and pax formats, long names, sparse files) and a fixture layer. A normal build replays the seeds;
 * {@code bench/fuzz oci:TarReaderFuzzTest} fuzzes it. (The tree's fuzz target reaches this reader too, but Jazzer
 * instruments only the fuzz test's own package, so there it fuzzes blind.)
 */
class TarReaderFuzzTest {
    private static final long READ_AT_MOST = 1 << 20;

    @FuzzTest(maxDuration = "60s")
    void readsEntriesOrSaysWhy(byte[] tar) {
        TarReader r = new TarReader(new ByteArrayInputStream(tar));
        byte[] buf = new byte[4096];
        try {
            int entries = 0;
            for (TarReader.Entry e; (e = r.next()) != null; ) {
                entries++;
                assertTrue(entries <= tar.length / 512, "more entries than headers");
                assertNotNull(e.name());
                assertNotNull(e.linkName());
                assertTrue(e.size() >= 0 && e.uid() >= 0 && e.gid() >= 0, e.toString());
                assertTrue(e.mode() >= 0 && e.mode() <= 07777, e.toString());
                long want = e.kind() == TarReader.Kind.FILE ? Math.min(e.size(), READ_AT_MOST) : 0;
                long read = 0;
                while (read < READ_AT_MOST) {
                    int n = r.content().read(buf, 0, buf.length);
                    if (n < 0) {
                        break;
                    }
                    read += n;
                }
                assertEquals(want, Math.min(read, READ_AT_MOST), "content as long as the size: " + e);
            }
        } catch (IOException e) {
            assertNotNull(e.getMessage());
        }
    }
}
