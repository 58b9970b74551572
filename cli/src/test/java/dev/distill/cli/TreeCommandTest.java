package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.distill.attest.image.Attachments;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@code distill tree} draws what is attached (it once drew two last siblings and the last child as a middle one). */
class TreeCommandTest {
    @Test
    void onlyTheLastChildHangsFromACorner() {
        List<Attachments.Item> items = List.of(
                new Attachments.Item("cosign", "signature", "sha256:aa", Map.of()),
                new Attachments.Item("cosign", "attestation", "sha256:bb", Map.of("predicateType", "spdx")),
                new Attachments.Item("referrers", "bundle", "sha256:cc", Map.of()));
        assertEquals(List.of(
                "r.example/app@sha256:00",
                "├── cosign",
                "│   ├── signature sha256:aa",
                "│   └── attestation sha256:bb  predicateType=spdx",
                "└── referrers",
                "    └── bundle sha256:cc"), TreeCommand.draw("r.example/app@sha256:00", items));
        assertEquals(List.of("r.example/app@sha256:00", "  (nothing attached)"),
                TreeCommand.draw("r.example/app@sha256:00", List.of()));
    }
}
