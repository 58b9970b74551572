package dev.distill.oci;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads another stream on a thread of its own, a few chunks ahead of the reader. A layer's decompression and its
 * two digests then run on one core while the tar entries are parsed and filed on another, the way
 * {@code gzip -dc | sha256sum} is two processes. The JDK has no bounded pipe between threads that passes errors
 * along (PipedInputStream copies byte by byte and loses the writer's exception), hence this class.
 *
 * <p>What the reader sees is exactly what {@code in} returned, in order; an exception {@code in} threw is rethrown to
 * the reader, as the same object, where it falls in the stream. {@link #drain()} reads to the end (so that the
 * wrapped stream finishes and checks its digests); {@link #close()} stops the thread and closes {@code in}. Memory
 * is bounded: {@code depth} chunks of {@code chunkSize} bytes, reused.
 */
public final class ReadAheadInputStream extends InputStream {
    private static final int JOIN_MILLIS = 10_000;

    /** One filled chunk, the end, or what went wrong. */
    private record Item(byte[] buf, int length, Throwable error) {
    }

    private final InputStream in;
    private final BlockingQueue<byte[]> free;
    private final BlockingQueue<Item> full;
    private final Thread producer;
    private Item current;
    private int pos;
    private boolean ended;
    private boolean closed;

    public ReadAheadInputStream(InputStream in, int chunkSize, int depth, String threadName) {
        if (chunkSize < 1 || depth < 1) {
            throw new IllegalArgumentException("chunk size and depth must be positive");
        }
        this.in = in;
        this.free = new ArrayBlockingQueue<>(depth);
        this.full = new ArrayBlockingQueue<>(depth + 1);
        for (int i = 0; i < depth; i++) {
            free.add(new byte[chunkSize]);
        }
        this.producer = new Thread(this::produce, threadName);
        producer.setDaemon(true);
        producer.start();
    }

    private void produce() {
        try {
            while (true) {
                byte[] buf = free.take();
                int n = 0;
                int r = 0;
                Throwable failure = null;
                try {
                    while (n < buf.length && (r = in.read(buf, n, buf.length - n)) >= 0) {
                        n += r;
                    }
                } catch (Throwable t) {
                    failure = t; // the bytes before it still go first
                }
                if (n > 0) {
                    full.put(new Item(buf, n, null));
                }
                if (failure != null || r < 0) {
                    full.put(new Item(null, -1, failure));
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed by the reader: nobody waits for more
        }
    }

    /** The current chunk with unread bytes, or null at the end; rethrows the producer's failure. */
    private Item chunk() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (current != null && pos < current.length()) {
            return current;
        }
        if (ended) {
            return null;
        }
        if (current != null) {
            free.add(current.buf());
            current = null;
        }
        Item next;
        try {
            next = full.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading ahead");
        }
        if (next.error() != null) {
            ended = true;
            throw rethrow(next.error());
        }
        if (next.length() < 0) {
            ended = true;
            return null;
        }
        current = next;
        pos = 0;
        return current;
    }

    private static IOException rethrow(Throwable t) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IOException(t);
    }

    @Override
    public int read() throws IOException {
        Item c = chunk();
        return c == null ? -1 : c.buf()[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        Item c = chunk();
        if (c == null) {
            return -1;
        }
        int n = Math.min(len, c.length() - pos);
        System.arraycopy(c.buf(), pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long done = 0;
        while (done < n) {
            Item c = chunk();
            if (c == null) {
                break;
            }
            int k = (int) Math.min(n - done, c.length() - pos);
            pos += k;
            done += k;
        }
        return done;
    }

    @Override
    public int available() throws IOException {
        return current == null || closed ? 0 : current.length() - pos;
    }

    /** Reads and discards the rest, so that the wrapped stream reaches its end; its failures are thrown here. */
    public void drain() throws IOException {
        while (chunk() != null) {
            pos = current.length();
        }
    }

    /** Stops the reading thread (waiting for it, boundedly) and closes the wrapped stream. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        producer.interrupt();
        try {
            producer.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        in.close();
    }

    /** Whether the reading thread has stopped (for tests: close must not leave it running). */
    boolean producerStopped(long waitMillis) throws InterruptedException {
        producer.join(waitMillis);
        return !producer.isAlive();
    }
}
