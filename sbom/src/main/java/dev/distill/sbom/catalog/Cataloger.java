package dev.distill.sbom.catalog;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * Finds packages of one kind: a name, tags, the globs of the files it reads, and a parser. A file it cannot read
 * becomes an unknown in the context, never an exception.
 */
public interface Cataloger {
    String name();

    Set<Tag> tags();

    /** Absolute globs of the files whose content the cataloger reads. */
    List<String> globs();

    void catalog(CatalogContext context) throws IOException;

    /** Inspectors that look at file contents while the layers stream (binary catalogers use them). */
    default List<dev.distill.sbom.tree.ContentInspector> inspectors() {
        return List.of();
    }

    /** What a cataloger looks at. */
    enum Tag { OS, LANGUAGE, BINARY }
}
