package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.oci.testing.Golden;
import org.junit.jupiter.api.Test;

class AuditCommandTest {
    @Test
    void gatesOnTheChosenCategories() {
        MainTest.Result ok = MainTest.run("audit", "../fixtures/distroless-base", "--fail-on",
                "shell,package-manager,root");
        assertEquals(0, ok.code(), ok.err());
        Golden.assertMatches("audit-distroless-base.text", ok.out());
        MainTest.Result failed = MainTest.run("audit", "../fixtures/layered", "--fail-on", "shell,setuid,root");
        assertEquals(1, failed.code());
        assertEquals("distill: audit failed: setuid, root\n", failed.err());
        assertEquals(2, MainTest.run("audit", "../fixtures/layered", "--fail-on", "shells").code());
        assertEquals(2, MainTest.run("audit", "../fixtures/layered", "-o", "xml").code());
    }

    @Test
    void writesJsonAndSarif() throws Exception {
        MainTest.Result json = MainTest.run("audit", "../fixtures/layered", "-o", "json");
        assertEquals(0, json.code(), json.err());
        JsonNode report = new ObjectMapper().readTree(json.out());
        assertEquals(77, report.get("score").asInt());
        assertEquals("SETUID", report.get("findings").get(0).get("category").asText());
        MainTest.Result sarif = MainTest.run("audit", "../fixtures/layered", "-o", "sarif");
        JsonNode s = new ObjectMapper().readTree(sarif.out());
        assertEquals("2.1.0", s.get("version").asText());
        JsonNode result = s.get("runs").get(0).get("results").get(0);
        assertEquals("setuid", result.get("ruleId").asText());
        assertEquals("error", result.get("level").asText());
        assertEquals("usr/bin/sensible-pager", result.at("/locations/0/physicalLocation/artifactLocation/uri")
                .asText());
        assertTrue(s.at("/runs/0/tool/driver/rules").size() >= 14);
    }
}
