package dev.distill.oci.layout;

import dev.distill.oci.BlobStore;
import dev.distill.oci.ImageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Files of an OCI image layout directory. A path that leaves the directory, also through a symlink, is refused. */
public final class DirectoryStore implements BlobStore {
    private final Path root;
    private final String name;

    public DirectoryStore(Path root, String name) {
        this.root = root.toAbsolutePath().normalize();
        this.name = name;
    }

    private Path resolve(String path) throws ImageException {
        Path rel = Path.of(path);
        if (rel.isAbsolute() || path.isEmpty()) {
            throw new ImageException(name + ": refusing path '" + path + "' (not relative to the layout)");
        }
        Path p = root.resolve(rel).normalize();
        if (!p.startsWith(root)) {
            throw new ImageException(name + ": refusing path '" + path + "' (leaves the layout directory)");
        }
        return p;
    }

    @Override
    public InputStream open(String path) throws IOException {
        Path p = resolve(path);
        try {
            Path real = p.toRealPath();
            if (!real.startsWith(root.toRealPath())) {
                throw new ImageException(name + ": refusing '" + path + "' (a symlink leads out of the layout)");
            }
            if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                throw new ImageException(name + ": '" + path + "' is not a regular file");
            }
            return Files.newInputStream(real);
        } catch (NoSuchFileException e) {
            throw new ImageException(name + ": missing " + path);
        }
    }

    @Override
    public boolean exists(String path) {
        try {
            return Files.isRegularFile(resolve(path));
        } catch (ImageException e) {
            return false;
        }
    }

    @Override
    public long size(String path) {
        try {
            return Files.size(resolve(path));
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public String describe() {
        return name;
    }

    @Override
    public void close() {
        // nothing held open
    }
}
