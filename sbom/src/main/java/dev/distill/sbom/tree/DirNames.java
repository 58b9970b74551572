package dev.distill.sbom.tree;

import java.util.Arrays;

/**
 * One string per directory path a layer writes to, shared by the entries filed in it. Looked up by the characters of
 * an entry's path before its last '/', so that a directory seen before costs no substring and no map node: a
 * million-entry layer visits its directories again and again, and its decoder did little else than hash them.
 */
final class DirNames {
    private String[] table = new String[64];
    private int size;

    /** The directory of the absolute, normalised {@code path}, its last '/' at {@code slash} (0 for "/"). */
    String of(String path, int slash) {
        if (slash == 0) {
            return "/";
        }
        int h = 0;
        for (int i = 0; i < slash; i++) {
            h = 31 * h + path.charAt(i);
        }
        int mask = table.length - 1;
        for (int i = spread(h) & mask; ; i = (i + 1) & mask) {
            String s = table[i];
            if (s == null) {
                String dir = path.substring(0, slash);
                table[i] = dir;
                if (++size * 2 > table.length) {
                    grow();
                }
                return dir;
            }
            if (s.length() == slash && path.startsWith(s)) {
                return s;
            }
        }
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }

    private void grow() {
        String[] old = table;
        table = new String[old.length * 2];
        int mask = table.length - 1;
        for (String s : old) {
            if (s != null) {
                int i = spread(s.hashCode()) & mask; // String.hashCode is the hash of() computes
                while (table[i] != null) {
                    i = (i + 1) & mask;
                }
                table[i] = s;
            }
        }
        Arrays.fill(old, null);
    }
}
