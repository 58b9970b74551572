package dev.distill.attest.policy;

import com.fasterxml.jackson.databind.JsonNode;

/** A kind of rule: the key it has in a rule set of a policy, and how its value is read. */
interface RuleKind {
    String key();

    /** Reads the rule from the value under its key (never missing here); refuses what would impose nothing. */
    Rule read(JsonNode value, PolicyReader in) throws PolicyException;
}
