package dev.distill.sbom.model;

/** A directed relationship between two packages, by id. */
public record Relationship(String from, Type type, String to) implements Comparable<Relationship> {
    public enum Type { DEPENDS_ON, CONTAINS }

    @Override
    public int compareTo(Relationship o) {
        int c = from.compareTo(o.from);
        if (c == 0) {
            c = type.compareTo(o.type);
        }
        return c != 0 ? c : to.compareTo(o.to);
    }
}
