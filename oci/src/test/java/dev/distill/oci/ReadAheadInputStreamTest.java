package dev.distill.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ReadAheadInputStreamTest {
    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** Hands out its bytes a few at a time, then fails with {@code failure} (or ends); remembers being closed. */
    private static final class Source extends InputStream {
        private final ByteArrayInputStream data;
        private final IOException failure;
        final AtomicBoolean closed = new AtomicBoolean();
        final AtomicBoolean sawEnd = new AtomicBoolean();

        Source(byte[] bytes, IOException failure) {
            this.data = new ByteArrayInputStream(bytes);
            this.failure = failure;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = data.read(b, off, Math.min(len, 5));
            if (n < 0) {
                if (failure != null) {
                    throw failure;
                }
                sawEnd.set(true);
            }
            return n;
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void passesEveryByteInOrderAcrossChunkBoundaries() throws IOException {
        for (int size : new int[] {0, 1, 6, 7, 8, 13, 14, 1000, 65_537}) {
            byte[] data = random(size);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try (ReadAheadInputStream in = new ReadAheadInputStream(new Source(data, null), 7, 2, "test")) {
                int b = in.read(); // one single-byte read, then bulk reads of odd sizes
                if (b >= 0) {
                    got.write(b);
                }
                byte[] buf = new byte[11];
                int n;
                while ((n = in.read(buf, 1, 10)) > 0) {
                    got.write(buf, 1, n);
                }
                assertEquals(-1, in.read());
            }
            assertArrayEquals(data, got.toByteArray(), "size " + size);
        }
    }

    @Test
    void rethrowsTheSourcesExceptionWhereItHappened() throws IOException {
        byte[] data = random(100);
        IOException bad = new ImageException("layer x: digest mismatch");
        try (ReadAheadInputStream in = new ReadAheadInputStream(new Source(data, bad), 16, 3, "test")) {
            assertArrayEquals(data, in.readNBytes(100), "the bytes before the failure arrive first");
            IOException thrown = assertThrows(IOException.class, in::read);
            assertSame(bad, thrown);
        }
    }

    @Test
    void rethrowsRuntimeExceptionsUnwrapped() throws IOException {
        InputStream failing = new InputStream() {
            @Override
            public int read() {
                throw new IllegalStateException("boom");
            }
        };
        try (ReadAheadInputStream in = new ReadAheadInputStream(failing, 8, 1, "test")) {
            assertEquals("boom", assertThrows(IllegalStateException.class, in::read).getMessage());
        }
    }

    @Test
    void drainReadsTheSourceToItsEnd() throws IOException {
        Source source = new Source(random(10_000), null);
        try (ReadAheadInputStream in = new ReadAheadInputStream(source, 64, 2, "test")) {
            assertEquals(10, in.readNBytes(10).length);
            in.drain();
            assertTrue(source.sawEnd.get());
            assertEquals(-1, in.read());
        }
    }

    @Test
    void drainThrowsTheFailureAtTheEnd() throws IOException {
        IOException bad = new ImageException("blob y: digest mismatch");
        try (ReadAheadInputStream in = new ReadAheadInputStream(new Source(random(500), bad), 64, 2, "test")) {
            assertSame(bad, assertThrows(IOException.class, in::drain));
        }
    }

    @Test
    void closeBeforeTheEndStopsTheThreadAndClosesTheSource() throws Exception {
        byte[] endless = new byte[1 << 20];
        Arrays.fill(endless, (byte) 1);
        Source source = new Source(endless, null);
        ReadAheadInputStream in = new ReadAheadInputStream(source, 128, 2, "test");
        assertEquals(1, in.read());
        in.close();
        assertTrue(in.producerStopped(5_000), "the reading thread is still running after close");
        assertTrue(source.closed.get());
        assertThrows(IOException.class, in::read);
    }
}
