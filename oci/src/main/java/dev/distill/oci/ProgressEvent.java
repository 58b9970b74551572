package dev.distill.oci;

import java.util.function.Consumer;

/**
 * What a long operation is doing, for a front end to show. The core never prints (as jib-core emits events and
 * its CLI draws them): it hands these to a listener, which may ignore them.
 */
public sealed interface ProgressEvent {
    /** A listener that ignores everything. */
    Consumer<ProgressEvent> IGNORE = e -> { };

    /**
     * Compressed bytes of a layer read so far (1-based {@code layer} of {@code layers}); sent when the layer starts,
     * every megabyte or so, and when it is done ({@code bytesRead == totalBytes}).
     */
    record LayerRead(int layer, int layers, Digest digest, long bytesRead, long totalBytes) implements ProgressEvent {
        public boolean done() {
            return bytesRead >= totalBytes;
        }
    }

    /** A step begins: {@code kind} is what sort ("cataloger", "writer"), {@code name} which one. */
    record Step(String kind, String name, int index, int count) implements ProgressEvent {
    }
}
