package dev.distill.oci.testing;

import dev.distill.oci.Compression;
import dev.distill.oci.testing.ImageBuilder.BuiltImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Generates small random multi-layer images that a correct unpacker must agree on: nested directories, files
 * rewritten in upper layers, symlinks (relative and absolute, some dangling), hardlinks, whiteouts of files and
 * directories, and opaque directories. Names come from a tiny alphabet so paths collide across layers. It avoids
 * only what real unpackers disagree on: replacing a directory or a symlink with another type, and writing below a
 * symlinked directory.
 */
public final class RandomImages {
    private RandomImages() {
    }

    private static final String[] NAMES = {"a", "b", "c", "d", "lib", "bin", "x.so", "y.txt"};

    public static BuiltImage generate(long seed, int layers) {
        Random r = new Random(seed);
        Map<String, Character> model = new TreeMap<>(); // path -> d(ir), f(ile), l(ink)
        ImageBuilder image = new ImageBuilder();
        Compression[] compressions = Compression.values();
        for (int layer = 0; layer < layers; layer++) {
            LayerBuilder lb = new LayerBuilder();
            Set<String> emitted = new HashSet<>();
            Set<String> touched = new HashSet<>();
            List<String> filesHere = new ArrayList<>();
            int ops = 15 + r.nextInt(30);
            for (int op = 0; op < ops; op++) {
                int kind = r.nextInt(layer == 0 ? 9 : 11);
                if (kind == 9) { // whiteout something of a lower layer
                    String victim = pick(r, model, null, touched);
                    if (victim != null && touched.stream().noneMatch(p -> p.startsWith(victim + "/"))) {
                        emitParents(lb, victim, emitted);
                        lb.whiteout(victim.substring(1));
                        model.keySet().removeIf(p -> p.equals(victim) || p.startsWith(victim + "/"));
                        touched.add(victim);
                    }
                    continue;
                }
                if (kind == 10) { // opaque a lower directory, before anything is written below it
                    String dir = pick(r, model, 'd', touched);
                    if (dir != null && model.keySet().stream().noneMatch(p -> touched.contains(p)
                            && p.startsWith(dir + "/"))) {
                        emitParents(lb, dir + "/x", emitted);
                        lb.opaque(dir.substring(1));
                        model.keySet().removeIf(p -> p.startsWith(dir + "/"));
                        touched.add(dir);
                    }
                    continue;
                }
                String parent = r.nextInt(4) == 0 ? "" : pick(r, model, 'd', Set.of());
                String path = (parent == null ? "" : parent) + "/" + NAMES[r.nextInt(NAMES.length)];
                Character existing = model.get(path);
                char type = kind < 3 ? 'd' : kind < 6 ? 'f' : kind < 8 ? 'l' : 'h';
                if (touched.contains(path) || (existing != null && !(existing == 'f' && (type == 'f' || type == 'h'))
                        && !(existing == 'd' && type == 'd'))) {
                    continue;
                }
                emitParents(lb, path, emitted);
                String name = path.substring(1);
                switch (type) {
                    case 'd' -> {
                        lb.dir(name, r.nextBoolean() ? 0755 : 0700);
                        emitted.add(path);
                        model.put(path, 'd');
                    }
                    case 'f' -> {
                        lb.file(name, "content " + seed + " " + layer + " " + op + "\n".repeat(r.nextInt(3)),
                                r.nextBoolean() ? 0644 : 04755, 0, r.nextInt(3));
                        model.put(path, 'f');
                        filesHere.add(path);
                    }
                    case 'l' -> {
                        String target = switch (r.nextInt(3)) {
                            case 0 -> "/" + NAMES[r.nextInt(NAMES.length)];
                            case 1 -> "../" + NAMES[r.nextInt(NAMES.length)];
                            default -> NAMES[r.nextInt(NAMES.length)];
                        };
                        lb.symlink(name, target);
                        model.put(path, 'l');
                    }
                    default -> {
                        if (filesHere.isEmpty() || filesHere.contains(path)) {
                            continue;
                        }
                        lb.hardlink(name, filesHere.get(r.nextInt(filesHere.size())).substring(1));
                        model.put(path, 'f');
                    }
                }
                touched.add(path);
            }
            image.layer(lb.build(compressions[r.nextInt(compressions.length)]));
        }
        return image.build();
    }

    /** Emits directory entries for the ancestors of {@code path} not yet written in this layer. */
    private static void emitParents(LayerBuilder lb, String path, Set<String> emitted) {
        int i = path.indexOf('/', 1);
        while (i > 0) {
            String dir = path.substring(0, i);
            if (emitted.add(dir)) {
                lb.dir(dir.substring(1), 0755);
            }
            i = path.indexOf('/', i + 1);
        }
    }

    private static String pick(Random r, Map<String, Character> model, Character type, Set<String> exclude) {
        List<String> candidates = new ArrayList<>();
        for (Map.Entry<String, Character> e : model.entrySet()) {
            if ((type == null || e.getValue() == type) && !exclude.contains(e.getKey())) {
                candidates.add(e.getKey());
            }
        }
        return candidates.isEmpty() ? null : candidates.get(r.nextInt(candidates.size()));
    }
}
