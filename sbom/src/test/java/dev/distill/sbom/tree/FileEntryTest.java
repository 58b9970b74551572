package dev.distill.sbom.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * An entry gives back every field it was made with, whether they fit in its own fields or had to go to the pool (a
 * link's target, a size of 4 GiB or more, a large uid, gid or layer), and so do its hardlinks and its copies.
 */
class FileEntryTest {
    private static void assertFields(FileEntry e, String path, EntryType type, int mode, long uid, long gid, long size,
                                     String linkTarget, boolean hardlink, int layer) {
        assertEquals(path, e.path());
        assertEquals(type, e.type(), path);
        assertEquals(mode, e.mode(), path);
        assertEquals(uid, e.uid(), path);
        assertEquals(gid, e.gid(), path);
        assertEquals(size, e.size(), path);
        assertEquals(linkTarget, e.linkTarget(), path);
        assertEquals(hardlink, e.hardlink(), path);
        assertEquals(layer, e.layer(), path);
    }

    @Test
    void fieldsThatFitAndFieldsThatDoNotReadBackTheSame() {
        long[] sizes = {0, 1, Integer.MAX_VALUE, 1L << 31, 0xffff_ffffL, 1L << 32, 5L << 30, Long.MAX_VALUE};
        long[] ids = {0, 65_532, 65_535, 65_536, 4_294_967_295L};
        int[] layers = {-1, 0, 127, (1 << 15) - 2, (1 << 15) - 1, 1 << 20};
        int n = 0;
        EntryPool pool = new EntryPool();
        for (long size : sizes) {
            for (long id : ids) {
                for (int layer : layers) {
                    for (String link : new String[] {null, "../lib/libc.so.6"}) {
                        String path = "/d/f" + n++;
                        EntryType type = link == null ? EntryType.FILE : EntryType.SYMLINK;
                        FileEntry e = new FileEntry("/d", path, pool, type, 04755, id, 65_535 - id % 7, size, link,
                                false, layer, -1);
                        assertFields(e, path, type, 04755, id, 65_535 - id % 7, size, link, false, layer);
                        assertNull(e.sha256());
                    }
                }
            }
        }
    }

    @Test
    void aHardlinkAndACopyKeepTheirTargetsFields() {
        EntryPool pool = new EntryPool();
        FileEntry big = new FileEntry("/opt", "/opt/disk.img", pool, EntryType.FILE, 0644, 1000, 1000, 6L << 30, null,
                false, 2, -1);
        FileEntry link = FileEntry.hardlink("/opt", "/opt/copy.img", pool, big, 3);
        assertFields(link, "/opt/copy.img", EntryType.FILE, 0644, 1000, 1000, 6L << 30, "/opt/disk.img", true, 3);
        FileEntry second = FileEntry.hardlink("/srv", "/srv/again.img", new EntryPool(), link, 4);
        assertEquals("/opt/disk.img", second.linkTarget(), "a hardlink of a hardlink names the first file");

        FileEntry symlink = new FileEntry("/usr/lib", "/usr/lib/libz.so", pool, EntryType.SYMLINK, 0777, 0, 0, 13,
                "libz.so.1.3.1", false, 1, -1);
        FileEntry moved = symlink.at("/lib", "/lib/libz.so", new EntryPool(), false);
        assertFields(moved, "/lib/libz.so", EntryType.SYMLINK, 0777, 0, 0, 13, "libz.so.1.3.1", false, 1);
        assertTrue(moved.isSymlink());
    }
}
