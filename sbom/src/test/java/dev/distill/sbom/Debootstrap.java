package dev.distill.sbom;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Debian bookworm root filesystem from {@code debootstrap --variant=minbase}, built once under target/ and
 * shared by the tests that need one. Needs root and Debian's debootstrap (./run-tests installs it).
 */
public final class Debootstrap {
    public static final Path ROOTFS = Path.of("target", "debootstrap-bookworm-minbase").toAbsolutePath();

    private Debootstrap() {
    }

    public static synchronized void ensureRootfs() throws Exception {
        if (Files.isRegularFile(ROOTFS.resolve("var/lib/dpkg/status"))
                && Files.exists(ROOTFS.resolve(".distill-complete"))) {
            return;
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/debootstrap"))) {
            fail("debootstrap is not installed; run ./run-tests, which installs it");
        }
        run(List.of("rm", "-rf", ROOTFS.toString()));
        List<String> cmd = new ArrayList<>(List.of("/usr/sbin/debootstrap", "--variant=minbase", "bookworm",
                ROOTFS.toString()));
        String mirror = aptMirror();
        if (mirror != null) {
            cmd.add(mirror);
        }
        run(cmd);
        Files.writeString(ROOTFS.resolve(".distill-complete"), "");
    }

    /** The Debian mirror this machine's apt uses, so debootstrap goes where apt-get goes. */
    private static String aptMirror() throws IOException {
        Path dir = Path.of("/etc/apt/sources.list.d");
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.toString().endsWith(".sources")).sorted().forEach(files::add);
            }
        }
        for (Path f : files) {
            for (String line : Files.readAllLines(f)) {
                if (line.startsWith("URIs:") && !line.contains("security")) {
                    return line.substring(5).strip().split("\\s+")[0];
                }
            }
        }
        Path list = Path.of("/etc/apt/sources.list");
        if (Files.isRegularFile(list)) {
            for (String line : Files.readAllLines(list)) {
                String[] w = line.strip().split("\\s+");
                if (w.length >= 3 && w[0].equals("deb") && !line.contains("security")) {
                    return w[1].startsWith("[") ? w[2] : w[1];
                }
            }
        }
        return null;
    }

    /** Runs a command to completion (12 minutes at most) and returns its output; fails the test otherwise. */
    public static String run(List<String> command) throws Exception {
        Path log = Files.createTempFile("distill-cmd-", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                if (!p.waitFor(12, TimeUnit.MINUTES)) {
                    fail(String.join(" ", command) + " did not finish in 12 minutes");
                }
            } finally {
                p.destroyForcibly();
            }
            String out = Files.readString(log);
            if (p.exitValue() != 0) {
                fail(String.join(" ", command) + " failed: " + out.lines().skip(Math.max(0,
                        out.lines().count() - 20)).collect(Collectors.joining("\n")));
            }
            return out;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
