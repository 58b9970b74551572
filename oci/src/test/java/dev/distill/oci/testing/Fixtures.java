package dev.distill.oci.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the committed fixture images are: the {@code distill.fixtures} property Maven sets, else ../fixtures. */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path dir() {
        String p = System.getProperty("distill.fixtures");
        Path dir = p != null ? Path.of(p) : Path.of("..", "fixtures");
        if (!Files.isDirectory(dir.resolve("layered"))) {
            throw new IllegalStateException("fixtures not found at " + dir.toAbsolutePath()
                    + "; run fixtures/build.sh");
        }
        return dir;
    }

    public static Path path(String name) {
        return dir().resolve(name);
    }
}
