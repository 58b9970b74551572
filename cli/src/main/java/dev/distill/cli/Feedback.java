package dev.distill.cli;

import dev.distill.oci.ProgressEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;

/**
 * What a command tells the user besides its output, on standard error: progress while it works, drawn on one
 * line that is redrawn in place, only when standard error is a terminal (JLine's native terminal provider says
 * whether it is); with {@code -v} one line per step instead, terminal or not; with {@code -q} nothing but errors.
 * Status notes ("Private key written to ...") go through {@link #note} so that {@code -q} silences them too. The
 * core only emits {@link ProgressEvent}s; this class alone draws them.
 */
final class Feedback implements Consumer<ProgressEvent> {
    enum Level { QUIET, NORMAL, VERBOSE }

    /** Redraws byte counts at most this often; a fast SBOM would otherwise spend its time writing escape codes. */
    private static final long REDRAW_NANOS = 100_000_000L;

    private final Level level;
    private final PrintWriter err;
    private final boolean terminal;
    private final int width;
    private long lastDraw;
    private boolean drawn;

    Feedback(Level level, PrintWriter err, boolean terminal, int width) {
        this.level = level;
        this.err = err;
        this.terminal = terminal;
        this.width = Math.max(20, width);
    }

    /** Feedback for a run: quiet wins over verbose; the terminal is asked about only when it matters. */
    static Feedback of(boolean quiet, boolean verbose, PrintWriter err) {
        Level level = quiet ? Level.QUIET : verbose ? Level.VERBOSE : Level.NORMAL;
        if (level != Level.NORMAL) {
            return new Feedback(level, err, false, 80);
        }
        TerminalProvider provider = stderrTerminal();
        return provider == null ? new Feedback(level, err, false, 80)
                : new Feedback(level, err, true, width(provider));
    }

    /** JLine's JNI provider when standard error is a terminal, else null (also when JLine cannot load natively). */
    private static TerminalProvider stderrTerminal() {
        // On Linux, where standard error points says whether it is a terminal without loading JLine's native
        // library (which is unpacked from the jar on every run: a fifth of a short command's time).
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            if (!target.startsWith("/dev/pts/") && !target.startsWith("/dev/tty")) {
                return null;
            }
        } catch (IOException | UnsupportedOperationException | SecurityException notLinux) {
            // ask JLine
        }
        try {
            TerminalProvider p = TerminalProvider.load("jni");
            return p.isSystemStream(SystemStream.Error) ? p : null;
        } catch (Throwable noTerminal) { // no native library for this platform, or no /tmp to unpack it to
            return null;
        }
    }

    private static int width(TerminalProvider provider) {
        try {
            int w = provider.systemStreamWidth(SystemStream.Error);
            return w > 0 ? w : 80;
        } catch (RuntimeException e) {
            return 80;
        }
    }

    boolean quiet() {
        return level == Level.QUIET;
    }

    /** A status note for the user (not output, not an error): silenced by -q. */
    void note(String line) {
        if (level != Level.QUIET) {
            clear();
            err.println(line);
            err.flush();
        }
    }

    @Override
    public void accept(ProgressEvent event) {
        if (level == Level.VERBOSE) {
            String line = verboseLine(event);
            if (line != null) {
                err.println("distill: " + line);
                err.flush();
            }
        } else if (level == Level.NORMAL && terminal) {
            long now = System.nanoTime();
            // Only the byte counts come fast enough to throttle; a step (a cataloger, a writer) is always drawn.
            boolean bytes = event instanceof ProgressEvent.LayerRead l && !l.done();
            if (drawn && bytes && now - lastDraw < REDRAW_NANOS) {
                return;
            }
            lastDraw = now;
            String line = "distill: " + statusLine(event);
            if (line.length() >= width) {
                line = line.substring(0, width - 1);
            }
            err.print("\r\u001b[K" + line);
            err.flush();
            drawn = true;
        }
    }

    /**
     * A step the CLI itself takes (resolving a tag, signing, pushing), for the work no core event describes:
     * drawn and printed as the core's steps are.
     */
    void step(String kind, String name, int index, int count) {
        accept(new ProgressEvent.Step(kind, name, index, count));
    }

    /** Removes the progress line, so that what follows starts on a clean line. */
    void clear() {
        if (drawn) {
            err.print("\r\u001b[K");
            err.flush();
            drawn = false;
        }
    }

    static String verboseLine(ProgressEvent event) {
        if (event instanceof ProgressEvent.LayerRead l) {
            return l.bytesRead() == 0 ? "reading layer " + l.layer() + "/" + l.layers() + " " + l.digest()
                    + " (" + size(l.totalBytes()) + ")" : null; // one line per layer, not one per megabyte
        }
        ProgressEvent.Step s = (ProgressEvent.Step) event;
        return verb(s.kind()) + " " + s.name() + " (" + s.index() + "/" + s.count() + ")";
    }

    static String statusLine(ProgressEvent event) {
        if (event instanceof ProgressEvent.LayerRead l) {
            return "layer " + l.layer() + "/" + l.layers() + " " + l.digest().shortHex() + "  "
                    + size(l.bytesRead()) + " of " + size(l.totalBytes()) + bar(l.bytesRead(), l.totalBytes());
        }
        ProgressEvent.Step s = (ProgressEvent.Step) event;
        return verb(s.kind()) + " " + s.index() + "/" + s.count() + " " + s.name();
    }

    private static String verb(String kind) {
        return switch (kind) {
            case "cataloger" -> "cataloging";
            case "writer" -> "writing";
            case "resolve" -> "resolving";
            case "list" -> "listing";
            case "read" -> "reading";
            case "sign" -> "signing";
            case "verify" -> "verifying";
            case "key" -> "writing key";
            default -> kind;
        };
    }

    private static String bar(long done, long total) {
        int cells = 20;
        int full = total <= 0 ? cells : (int) Math.min(cells, done * cells / total);
        return "  [" + "#".repeat(full) + " ".repeat(cells - full) + "]";
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
