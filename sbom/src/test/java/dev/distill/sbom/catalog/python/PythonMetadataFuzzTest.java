package dev.distill.sbom.catalog.python;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.distill.sbom.catalog.CatalogFuzzing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Any bytes as a Python distribution's metadata catalog to at most one package per layout or to an unknown,
 * never an exception. The input is split at {@value #SPLIT} lines into the metadata (METADATA / PKG-INFO), the
 * file list (RECORD / installed-files.txt) and requires.txt, and is placed both as a {@code .dist-info} and as an
 * {@code .egg-info}. A normal build replays the seeds; {@code bench/fuzz sbom:PythonMetadataFuzzTest} fuzzes it.
 */
class PythonMetadataFuzzTest {
    private static final String SPLIT = "\n--8<--\n";
    private static final String SITE = "/usr/lib/python3/dist-packages/";

    @FuzzTest(maxDuration = "60s")
    void catalogsOrRecordsAnUnknown(byte[] input) throws IOException {
        byte[][] parts = split(input);
        Map<String, byte[]> files = new HashMap<>();
        files.put(SITE + "fuzz-1.0.dist-info/METADATA", parts[0]);
        files.put(SITE + "fuzz-1.0.dist-info/RECORD", parts[1]);
        files.put(SITE + "fuzz-1.0.egg-info/PKG-INFO", parts[0]);
        files.put(SITE + "fuzz-1.0.egg-info/installed-files.txt", parts[1]);
        files.put(SITE + "fuzz-1.0.egg-info/requires.txt", parts[2]);
        CatalogFuzzing.catalog(new PythonCataloger(), files, 2);
    }

    /** Metadata, file list, requires.txt: up to three parts, missing ones empty. */
    private static byte[][] split(byte[] input) {
        byte[] sep = SPLIT.getBytes(StandardCharsets.UTF_8);
        byte[][] parts = {new byte[0], new byte[0], new byte[0]};
        int start = 0;
        for (int p = 0; p < 3; p++) {
            int end = p == 2 ? -1 : indexOf(input, sep, start);
            parts[p] = Arrays.copyOfRange(input, start, end < 0 ? input.length : end);
            if (end < 0) {
                break;
            }
            start = end + sep.length;
        }
        return parts;
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
