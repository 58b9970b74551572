package dev.distill.oci.archive;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.distill.oci.Image;
import dev.distill.oci.ImageException;
import dev.distill.oci.ImageSources;
import dev.distill.oci.SourceOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Any bytes given as an image archive file (tar or gzipped tar, read as {@code oci-archive:} or
 * {@code docker-archive:} by what it holds) open as an image or fail with one {@link ImageException}; the temp
 * file a gzipped archive is inflated to is gone afterwards. Seeds are small archives built from fixture bytes. A
 * normal build replays the seeds; {@code bench/fuzz oci:ArchiveFuzzTest} fuzzes it.
 */
class ArchiveFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void opensOrSaysWhy(byte[] archive) throws IOException {
        List<Path> before = leftovers();
        Path dir = Files.createTempDirectory("archive-fuzz-");
        Path file = Files.write(dir.resolve("image.tar"), archive);
        try (Image image = ImageSources.open(file.toString(), SourceOptions.defaults())) {
            assertNotNull(image.config());
        } catch (ImageException e) {
            assertNotNull(e.getMessage());
        } finally {
            Files.delete(file);
            Files.delete(dir);
        }
        List<Path> left = leftovers();
        left.removeAll(before);
        assertTrue(left.isEmpty(), "temp files left behind: " + left);
    }

    private static List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("distill-archive-"))
                    .collect(Collectors.toCollection(ArrayList::new));
        }
    }
}
