package dev.distill.sbom.tree;

/** Kinds of filesystem entry a layer can carry. Hardlinks are regular files that share another file's content. */
public enum EntryType {
    FILE, DIRECTORY, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO, SOCKET
}
