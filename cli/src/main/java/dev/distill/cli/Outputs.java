package dev.distill.cli;

import dev.distill.oci.ProgressEvent;
import dev.distill.sbom.format.SbomFormat;
import dev.distill.sbom.format.SbomWriter;
import dev.distill.sbom.model.Sbom;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine;

/**
 * The {@code -o FORMAT[=FILE]} outputs of a command: checked before any work starts, rendered all before any is
 * written, each file written atomically.
 */
final class Outputs {
    private record Output(String format, SbomWriter writer, Path file) {
    }

    private final List<Output> outputs;
    private Thread preparing;

    private Outputs(List<Output> outputs) {
        this.outputs = outputs;
    }

    /** Parses the specs (table on standard output when there are none); usage errors name the bad spec. */
    static Outputs plan(List<String> specs, CommandLine commandLine) {
        List<Output> plan = new ArrayList<>();
        int toStdout = 0;
        for (String s : specs.isEmpty() ? List.of("table") : specs) {
            int eq = s.indexOf('=');
            String format = eq < 0 ? s : s.substring(0, eq);
            String file = eq < 0 ? null : s.substring(eq + 1);
            if (file != null && file.isEmpty()) {
                throw new CommandLine.ParameterException(commandLine, "empty file name in -o " + s);
            }
            SbomWriter writer;
            try {
                writer = SbomFormat.writer(format);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(commandLine, e.getMessage());
            }
            if (file == null && ++toStdout > 1) {
                throw new CommandLine.ParameterException(commandLine,
                        "only one output can go to standard output; give the others a file (-o FORMAT=FILE)");
            }
            plan.add(new Output(format, writer, file == null ? null : Path.of(file)));
        }
        return new Outputs(plan);
    }

    /**
     * Starts loading what the writers will need on a thread of its own (the format libraries and the SPDX license
     * list take a few hundred milliseconds, which can pass while the image is read); {@link #write} waits for it.
     */
    void prepareInBackground() {
        Thread t = new Thread(() -> outputs.forEach(o -> o.writer().prepare()), "distill-prepare-writers");
        t.setDaemon(true);
        t.start();
        preparing = t;
    }

    /** Renders every output, then writes them: a failure while rendering leaves no file behind. */
    void write(Sbom sbom, PrintWriter stdout) throws IOException {
        write(sbom, stdout, ProgressEvent.IGNORE);
    }

    /** As {@link #write(Sbom, PrintWriter)}, telling {@code progress} which writer runs. */
    void write(Sbom sbom, PrintWriter stdout, Consumer<ProgressEvent> progress) throws IOException {
        if (preparing != null) {
            try {
                preparing.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while preparing the writers");
            }
        }
        List<byte[]> rendered = new ArrayList<>();
        for (Output o : outputs) {
            progress.accept(new ProgressEvent.Step("writer", o.format() + (o.file() == null ? "" : " to " + o.file()),
                    rendered.size() + 1, outputs.size()));
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            o.writer().write(sbom, buf);
            rendered.add(buf.toByteArray());
        }
        if (progress instanceof Feedback f) {
            f.clear(); // a table on a terminal must not start after a progress line
        }
        for (int i = 0; i < outputs.size(); i++) {
            byte[] bytes = rendered.get(i);
            if (outputs.get(i).file() == null) {
                stdout.print(new String(bytes, StandardCharsets.UTF_8));
                stdout.flush();
            } else {
                AtomicFiles.write(outputs.get(i).file(), o -> o.write(bytes));
            }
        }
    }

    /** What the SBOM holds that the outputs' formats cannot carry, one line per format and kind of fact. */
    List<String> notCarried(Sbom sbom) {
        List<String> out = new ArrayList<>();
        for (Output o : outputs) {
            for (String line : SbomFormat.notCarried(o.format(), sbom)) {
                if (!out.contains(line)) {
                    out.add(line);
                }
            }
        }
        return out;
    }

    /** SOURCE_DATE_EPOCH from the environment, or null; a malformed value is a usage error. */
    static Instant sourceDateEpoch(Map<String, String> env, CommandLine commandLine) {
        String v = env.get("SOURCE_DATE_EPOCH");
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(v.strip()));
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(commandLine,
                    "SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01, not '" + v + "'");
        }
    }
}
