package dev.distill.attest.bundle;

import dev.distill.attest.VerificationException;
import dev.distill.attest.AttestLimits;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads Sigstore bundle JSON strictly before any verifier sees it. A bundle is protobuf JSON, in which every field
 * has two names (its lowerCamelCase JSON name and its original snake_case name) and in which parsers disagree on
 * repeated keys: one reader may take the first value and another the last, or one reader know a name the other
 * skips. Anything that lets two readings of the same bytes differ is refused here: a key repeated in one object,
 * and one field given under both of its names.
 */
public final class BundleJson {

    private BundleJson() {
    }

    /** Parses {@code json} ({@code what} names it in messages); refuses what could be read two ways. */
    public static JsonNode parse(String json, String what) throws VerificationException {
        JsonNode node;
        try {
            node = AttestLimits.strictJson().readTree(json);
        } catch (JsonProcessingException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("Duplicate field")) {
                throw new VerificationException(what + " repeats a duplicate key ('" + duplicateName(e) + "'): "
                        + "readers could take either value");
            }
            throw new VerificationException(what + " is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new VerificationException(what + " is not a JSON object");
        }
        checkNames(node, what);
        return node;
    }

    private static String duplicateName(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        int a = m.indexOf('\'');
        int b = m.indexOf('\'', a + 1);
        return a >= 0 && b > a ? m.substring(a + 1, b) : "?";
    }

    private static void checkNames(JsonNode node, String what) throws VerificationException {
        if (node.isObject()) {
            Map<String, String> seen = new HashMap<>();
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                String other = seen.put(jsonName(name), name);
                if (other != null) {
                    throw new VerificationException(what + " gives one field under two names ('" + other + "' and '"
                            + name + "'): readers could take either value");
                }
            }
        }
        for (JsonNode child : node) {
            checkNames(child, what);
        }
    }

    /** The lowerCamelCase JSON name protobuf gives a field written in snake_case (unchanged otherwise). */
    public static String jsonName(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        boolean upper = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }
}
