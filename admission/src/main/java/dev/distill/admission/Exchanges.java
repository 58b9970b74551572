package dev.distill.admission;

import com.sun.net.httpserver.HttpHandler;
import java.time.Duration;

/**
 * The exchanges the server is handling right now, of every endpoint, so that a graceful stop can return as soon
 * as the last one is answered instead of sleeping out the grace period.
 */
final class Exchanges {
    private int count;

    /** The handler, counted while it runs. */
    HttpHandler counted(HttpHandler h) {
        return ex -> {
            enter();
            try {
                h.handle(ex);
            } finally {
                leave();
            }
        };
    }

    synchronized int count() {
        return count;
    }

    /** Waits until no exchange is in progress or the time is up; true when idle. */
    synchronized boolean awaitIdle(Duration limit) {
        long end = System.nanoTime() + limit.toNanos();
        try {
            for (long left = limit.toNanos(); count > 0 && left > 0; left = end - System.nanoTime()) {
                wait(Math.max(1, left / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return count == 0;
    }

    private synchronized void enter() {
        count++;
    }

    private synchronized void leave() {
        count--;
        if (count == 0) {
            notifyAll();
        }
    }
}
