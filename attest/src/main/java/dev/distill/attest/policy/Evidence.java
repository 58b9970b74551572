package dev.distill.attest.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distill.sbom.audit.AuditReport;
import java.util.List;

/** What rules are judged on, about one digest; every accessor answers only with what verified. */
public interface Evidence {
    /** The verified predicates of this type about the digest (empty when none verified). */
    List<JsonNode> predicates(String predicateType);

    /** The audit of the image's filesystem (asked for only by rules that need it). */
    AuditReport audit();

    /** Whether the image carries a signature that verifies for this signer, as a check. */
    Policy.Check signer(Policy.Signer signer, String label);
}
