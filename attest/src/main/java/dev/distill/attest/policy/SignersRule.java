package dev.distill.attest.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code signers: [...]}: every signer named must have signed the image (a key file, or an identity and issuer). */
record SignersRule(List<Policy.Signer> signers) implements Rule {
    static final RuleKind KIND = new RuleKind() {
        @Override
        public String key() {
            return "signers";
        }

        @Override
        public Rule read(JsonNode list, PolicyReader in) throws PolicyException {
            if (!list.isArray()) {
                throw in.error("'signers' must be a list");
            }
            if (list.isEmpty()) {
                throw in.error("'signers' is an empty list" + PolicyReader.IMPOSES_NOTHING);
            }
            List<Policy.Signer> out = new ArrayList<>();
            for (JsonNode s : list) {
                if (!s.isObject()) {
                    throw in.error("each signer is a mapping (key, or identity and issuer)");
                }
                in.keys(s, Set.of("key", "identity", "identityRegexp", "issuer", "issuerRegexp"), "signers[].");
                String key = in.text(s, "key");
                String id = in.text(s, "identity");
                String idRe = in.text(s, "identityRegexp");
                String iss = in.text(s, "issuer");
                String issRe = in.text(s, "issuerRegexp");
                boolean keyless = id != null || idRe != null || iss != null || issRe != null;
                if (key != null && keyless) {
                    throw in.error("a signer is a key or an identity, not both");
                }
                if (key == null && ((id == null) == (idRe == null) || (iss == null) == (issRe == null))) {
                    throw in.error("a keyless signer needs one of identity/identityRegexp and one of "
                            + "issuer/issuerRegexp");
                }
                if (idRe != null) {
                    in.compile(idRe, "identityRegexp");
                }
                if (issRe != null) {
                    in.compile(issRe, "issuerRegexp");
                }
                out.add(new Policy.Signer(key == null ? null : in.resolve(key), id, idRe, iss, issRe));
            }
            return new SignersRule(List.copyOf(out));
        }
    };

    @Override
    public Scope scope() {
        return Scope.DIGEST;
    }

    @Override
    public void evaluate(Evidence evidence, String label, List<Policy.Check> out) {
        for (Policy.Signer s : signers) {
            out.add(evidence.signer(s, label));
        }
    }
}
