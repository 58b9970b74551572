package dev.distill.attest.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The policy file being read: its name for messages, its directory for relative paths, and the strict readers
 * every rule uses, so that a misspelt, misshaped or empty rule is an error and never a silent pass.
 */
final class PolicyReader {
    /** Said of an empty rule: a rule that names nothing would pass every image while looking like a gate. */
    static final String IMPOSES_NOTHING = ", so it would impose nothing: remove it, or say what it requires";

    private final String name;
    private final Path dir;

    PolicyReader(String name) {
        this.name = name;
        this.dir = Path.of(name).toAbsolutePath().getParent();
    }

    PolicyException error(String message) {
        return new PolicyException(name + ": " + message);
    }

    Path resolve(String relative) {
        return dir.resolve(relative);
    }

    /** Every key of a mapping must be known; an empty mapping is refused. */
    void keys(JsonNode section, Set<String> known, String prefix) throws PolicyException {
        if (section.isMissingNode()) {
            return;
        }
        if (!section.isObject()) {
            throw error("'" + prefix.replace(".", "") + "' must be a mapping of rules");
        }
        if (section.isEmpty()) {
            throw error(prefix.isEmpty() ? "the policy has no rules, so it could not fail"
                    : "'" + prefix.replace(".", "") + "' has no rules" + IMPOSES_NOTHING);
        }
        for (var it = section.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                throw error("unknown rule '" + prefix + k + "' (" + String.join(", ", known.stream().sorted()
                        .toList()) + ")");
            }
        }
    }

    /** A non-empty string, or null when the key is absent. */
    String text(JsonNode section, String key) throws PolicyException {
        JsonNode n = section.path(key);
        if (n.isMissingNode()) {
            return null;
        }
        if (!n.isTextual() || n.asText().isBlank()) {
            throw error("'" + key + "' must be a non-empty string");
        }
        return n.asText();
    }

    /** A non-empty list of non-empty strings; a scalar where a list belongs is an error, not an empty rule. */
    List<String> strings(JsonNode section, String key) throws PolicyException {
        return list(section.path(key), key);
    }

    /** The same, for the value {@code n} of {@code key}. */
    List<String> list(JsonNode n, String key) throws PolicyException {
        List<String> out = new ArrayList<>();
        if (n.isMissingNode()) {
            return out;
        }
        if (!n.isArray()) {
            throw error("'" + key + "' must be a list");
        }
        if (n.isEmpty()) {
            throw error("'" + key + "' is an empty list" + IMPOSES_NOTHING);
        }
        for (JsonNode v : n) {
            if (!v.isTextual() || v.asText().isBlank()) {
                throw error("'" + key + "' must list non-empty strings");
            }
            out.add(v.asText());
        }
        return out;
    }

    /** One string or a list of them. */
    List<String> oneOrMore(JsonNode section, String key) throws PolicyException {
        return section.path(key).isArray() ? strings(section, key) : section.path(key).isMissingNode() ? List.of()
                : List.of(text(section, key));
    }

    Pattern compile(String re, String what) throws PolicyException {
        try {
            return Pattern.compile(re);
        } catch (PatternSyntaxException e) {
            throw error("'" + what + "' is not a valid regular expression: " + e.getDescription());
        }
    }
}
