package dev.distill.sbom.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The compact index agrees with the sorted map of path strings it replaced: the same entry at every path, every
 * entry visited in the order of its path string (names that sort around '/', like "a", "a-c" and "a/x", and
 * characters beyond Latin-1 and the BMP included), and the same entries removed below a directory, in that order.
 */
class PathIndexTest {
    private static final String[] PARTS = {"a", "a-c", "a.b", "a b", "ab", "b", "é", "\u0100x", "\uE000",
        "\uD83D\uDE00", "z", "A", "0", "a!", "a~", "x".repeat(40_000)};

    @Test
    void agreesWithASortedMapOfPaths() {
        Random random = new Random(21);
        PathIndex index = new PathIndex();
        TreeMap<String, FileEntry> model = new TreeMap<>();
        EntryPool pool = new EntryPool();
        for (int step = 0; step < 20_000; step++) {
            String path = randomPath(random);
            int op = random.nextInt(10);
            if (op < 6) {
                FileEntry e = new FileEntry(index.dirPath(FileEntry.dirOf(path)), path, pool, EntryType.FILE, 0644,
                        random.nextInt(3) == 0 ? 1L << 40 : 0, 7, 1, null, false, random.nextInt(4), -1);
                assertSame(model.put(path, e), index.put(e), path);
                assertEquals(path, e.path());
            } else if (op < 8) {
                assertSame(model.remove(path), index.remove(path), path);
            } else {
                int layer = random.nextInt(5);
                List<FileEntry> expected = new ArrayList<>();
                String prefix = path.equals("/") ? "/" : path + "/";
                String upper = prefix.substring(0, prefix.length() - 1) + (char) ('/' + 1);
                Iterator<FileEntry> it = model.subMap(prefix, true, upper, false).values().iterator();
                while (it.hasNext()) {
                    FileEntry e = it.next();
                    if (e.layer() < layer) {
                        it.remove();
                        expected.add(e);
                    }
                }
                List<FileEntry> removed = new ArrayList<>();
                index.removeUnder(path, layer, removed::add);
                assertEquals(expected, removed, "below " + path);
            }
            assertSame(model.get(path), index.get(path), path);
        }
        assertEquals(model.size(), index.size());
        List<FileEntry> visited = new ArrayList<>();
        index.forEach(visited::add);
        assertEquals(new ArrayList<>(model.values()), visited);
        for (Map.Entry<String, FileEntry> e : model.entrySet()) {
            assertSame(e.getValue(), index.get(e.getKey()));
            assertEquals(e.getKey(), e.getValue().path());
        }
    }

    @Test
    void keepsWideIdsLayersAndNames() {
        FileEntry e = new FileEntry("/usr/\uD83D\uDE00-é", EntryType.SYMLINK, 04755, 1L << 33, 70_000, 3, "/x",
                false, 40_000);
        assertEquals("/usr/\uD83D\uDE00-é", e.path());
        assertEquals("\uD83D\uDE00-é", e.name());
        assertEquals(1L << 33, e.uid());
        assertEquals(70_000, e.gid());
        assertEquals(40_000, e.layer());
        assertEquals(04755, e.mode());
        assertEquals(EntryType.SYMLINK, e.type());
        FileEntry root = new FileEntry("/", EntryType.DIRECTORY, 0755, 0, 0, 0, null, false, -1);
        assertEquals("/", root.path());
        assertEquals(-1, root.layer());
        assertEquals(EntryType.DIRECTORY, root.type());
    }

    private static String randomPath(Random random) {
        StringBuilder b = new StringBuilder();
        int depth = random.nextInt(4);
        for (int i = 0; i < depth; i++) {
            String part = PARTS[random.nextInt(PARTS.length)];
            b.append('/').append(part.length() > 100 && random.nextInt(20) != 0 ? "long" : part);
        }
        return b.length() == 0 ? "/" : b.toString();
    }
}
