package dev.distill.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * distill run in a JVM of its own, on the tests' class path: for what an in-process run cannot show (a terminal,
 * the process's environment and HOME, a host name resolved through a hosts file of the test's own).
 */
final class CliProcess {
    private CliProcess() {
    }

    /** The java command line that runs distill with these JVM options. */
    static List<String> command(List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xshare:auto");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs distill with the extra environment and JVM options; at most a minute. */
    static MainTest.Result run(Path dir, Map<String, String> env, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        return exec(dir, env, command(jvmOptions, args));
    }

    /** Runs a command line to completion (at most a minute) and returns its exit code, stdout and stderr. */
    static MainTest.Result exec(Path dir, Map<String, String> env, List<String> command)
            throws IOException, InterruptedException {
        return exec(dir, env, command, 60);
    }

    /** The same, for at most {@code seconds}. */
    static MainTest.Result exec(Path dir, Map<String, String> env, List<String> command, long seconds)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError("distill did not finish in " + seconds + " s: " + command);
            }
        } finally {
            p.destroyForcibly();
        }
        return new MainTest.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
