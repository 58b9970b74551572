package dev.distill.attest.policy;

import java.util.List;

/**
 * Every kind of policy rule, in the order their checks are reported: a new rule is one class and one line here.
 * Each kind owns one key of a rule set (the top level of a policy, or an {@code images} section).
 */
final class PolicyRules {
    static final List<RuleKind> ALL = List.of(
            AttestationsRule.KIND,
            SlsaRule.KIND,
            SbomRule.KIND,
            DistrolessRule.KIND,
            SignersRule.KIND);

    private PolicyRules() {
    }
}
