package dev.distill.sbom.diff;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.sbom.model.Package;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link SbomDiff#compare} found, with its two renderings: a table for people and JSON for tools. Both depend
 * on the content alone (sorted, no timestamps).
 *
 * @param before the old side: the input as given, its image digest (or null) and its number of packages
 * @param changes added, then removed, then changed packages, each group sorted by type and name
 * @param unchanged how many packages are the same on both sides
 */
public record DiffReport(Side before, Side after, List<PackageChange> changes, int unchanged) {
    public record Side(String input, String digest, int packages) {
    }

    public DiffReport {
        changes = List.copyOf(changes);
    }

    /** How many changes are of a kind. */
    public int count(PackageChange.Kind kind) {
        return (int) changes.stream().filter(c -> c.kind() == kind).count();
    }

    /** The table: a header naming both sides, the counts, then one row per change. */
    public String text() {
        StringBuilder out = new StringBuilder();
        out.append("old: ").append(side(before)).append('\n');
        out.append("new: ").append(side(after)).append('\n');
        out.append(count(PackageChange.Kind.ADDED)).append(" added, ").append(count(PackageChange.Kind.REMOVED))
                .append(" removed, ").append(count(PackageChange.Kind.CHANGED)).append(" changed, ")
                .append(unchanged).append(" unchanged\n");
        if (changes.isEmpty()) {
            return out.toString();
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"CHANGE", "TYPE", "NAME", "OLD", "NEW", "DETAIL"});
        for (PackageChange c : changes) {
            Package p = c.current();
            rows.add(new String[] {c.kind().id(), p.type(), p.name(),
                    c.before() == null ? "" : c.before().version(), c.after() == null ? "" : c.after().version(),
                    detail(c)});
        }
        int[] width = new int[6];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        out.append('\n');
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(i == r.length - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    private static String side(Side s) {
        return s.input() + (s.digest() == null ? "" : " (" + s.digest() + ")") + ", " + s.packages()
                + (s.packages() == 1 ? " package" : " packages");
    }

    /** What changed besides the version (which has its own columns). */
    private static String detail(PackageChange c) {
        List<String> parts = new ArrayList<>();
        for (String what : c.changes()) {
            switch (what) {
                case "license" -> parts.add("license " + orNone(c.before().license()) + " -> "
                        + orNone(c.after().license()));
                case "layer" -> parts.add("layer " + SbomDiff.layerNumber(c.before().layer()) + " -> "
                        + SbomDiff.layerNumber(c.after().layer()));
                default -> {
                    // the version is in the OLD and NEW columns
                }
            }
        }
        return String.join("; ", parts);
    }

    private static String orNone(String license) {
        return license == null ? "(none)" : license;
    }

    /** The JSON document: both sides, the counts, and the added, removed and changed packages. */
    public String json() {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = m.createObjectNode();
        side(root.putObject("old"), before);
        side(root.putObject("new"), after);
        ObjectNode summary = root.putObject("summary");
        for (PackageChange.Kind k : PackageChange.Kind.values()) {
            summary.put(k.id(), count(k));
        }
        summary.put("unchanged", unchanged);
        ArrayNode added = root.putArray("added");
        ArrayNode removed = root.putArray("removed");
        ArrayNode changed = root.putArray("changed");
        for (PackageChange c : changes) {
            switch (c.kind()) {
                case ADDED -> pkg(added.addObject(), c.after());
                case REMOVED -> pkg(removed.addObject(), c.before());
                case CHANGED -> {
                    ObjectNode o = changed.addObject();
                    o.put("type", c.after().type());
                    o.put("name", c.after().name());
                    ArrayNode what = o.putArray("changes");
                    c.changes().forEach(what::add);
                    pkg(o.putObject("old"), c.before());
                    pkg(o.putObject("new"), c.after());
                }
                default -> throw new IllegalStateException(c.kind().toString());
            }
        }
        try {
            return m.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the diff as JSON", e);
        }
    }

    private static void side(ObjectNode o, Side s) {
        o.put("input", s.input());
        if (s.digest() != null) {
            o.put("digest", s.digest());
        }
        o.put("packages", s.packages());
    }

    private static void pkg(ObjectNode o, Package p) {
        o.put("type", p.type());
        o.put("name", p.name());
        o.put("version", p.version());
        if (p.purl() != null) {
            o.put("purl", p.purl());
        }
        if (p.license() != null) {
            o.put("license", p.license());
        }
        if (p.layer() != null) {
            o.put("layer", SbomDiff.layerNumber(p.layer()));
        }
    }
}
