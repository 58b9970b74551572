package dev.distill.oci.registry;

import dev.distill.oci.Streams;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A read timeout for response bodies. java.net.http bounds the wait for headers but not for body bytes, so a
 * registry that stops sending midway would hold a reader forever; this closes a body that makes no progress for
 * the timeout, and the reader sees an IOException (which {@link ResumingBlobStream} answers by asking again).
 */
final class StallGuard {
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "distill-stall-guard");
        t.setDaemon(true);
        return t;
    });

    private StallGuard() {
    }

    static InputStream guard(InputStream body, Duration timeout) {
        return new Guarded(body, timeout.toMillis());
    }

    private static final class Guarded extends FilterInputStream {
        private final long timeoutMillis;
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean stalled;
        private final ScheduledFuture<?> check;

        Guarded(InputStream in, long timeoutMillis) {
            super(in);
            this.timeoutMillis = timeoutMillis;
            long period = Math.max(50, timeoutMillis / 4);
            this.check = WATCHDOG.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
        }

        private void check() {
            if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastProgress) > timeoutMillis) {
                stalled = true;
                check.cancel(false);
                try {
                    in.close();
                } catch (IOException ignored) {
                    // the reader will see the stream closed
                }
            }
        }

        @Override
        public int read() throws IOException {
            return Streams.readOne(this);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = in.read(b, off, len);
                lastProgress = System.nanoTime();
                if (n < 0) {
                    check.cancel(false);
                }
                return n;
            } catch (IOException e) {
                if (stalled) {
                    throw new IOException("no data for " + timeoutMillis + " ms; the connection was closed", e);
                }
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            check.cancel(false);
            in.close();
        }
    }
}
