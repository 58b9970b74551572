package dev.distill.sbom.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.model.Sbom;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

/**
 * CycloneDX 1.7, which cyclonedx-core-java does not write, held to the 1.7 JSON schema and XSD that npm's
 * {@code @cyclonedx/cyclonedx-library} 10.3.0 ships (installed by run-tests into test-deps/node) on every fixture.
 */
class CycloneDx17Test {
    private static final Path SCHEMAS = Path.of("..", "test-deps", "node", "node_modules", "@cyclonedx",
            "cyclonedx-library", "res", "schema").toAbsolutePath().normalize();
    private static final String PREFIX = "http://cyclonedx.org/schema/";
    private static Schema json;
    private static javax.xml.validation.Schema xsd;

    @BeforeAll
    static synchronized void schemas() throws Exception {
        if (json != null) {
            return;
        }
        assertTrue(Files.isRegularFile(SCHEMAS.resolve("bom-1.7.SNAPSHOT.schema.json")),
                "CycloneDX 1.7 schemas missing at " + SCHEMAS + "; ./run-tests installs them from npm");
        // The schemas name each other by cyclonedx.org IRIs; they are read from the npm copy, never fetched.
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7,
                b -> b.schemas(CycloneDx17Test::localSchema));
        json = registry.getSchema(SchemaLocation.of(PREFIX + "bom-1.7.schema.json"));
        SchemaFactory f = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        xsd = f.newSchema(SCHEMAS.resolve("bom-1.7.SNAPSHOT.xsd").toFile());
    }

    /** {@code http://cyclonedx.org/schema/NAME.schema.json} as the npm package's {@code NAME.SNAPSHOT.schema.json}. */
    private static String localSchema(String iri) {
        if (!iri.startsWith(PREFIX)) {
            return null;
        }
        String name = iri.substring(PREFIX.length()).replaceFirst("#.*", "").replace("SNAPSHOT.", "")
                .replaceFirst("\\.schema\\.json$", ".SNAPSHOT.schema.json");
        try {
            return Files.readString(SCHEMAS.resolve(name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<String> validateJson(byte[] doc) {
        return json.validate(new String(doc, StandardCharsets.UTF_8), InputFormat.JSON).stream()
                .map(Object::toString).toList();
    }

    static List<String> validateXml(byte[] doc) throws Exception {
        List<String> problems = new ArrayList<>();
        Validator v = xsd.newValidator();
        v.setErrorHandler(new ErrorHandler() {
            @Override
            public void warning(SAXParseException e) {
            }

            @Override
            public void error(SAXParseException e) {
                problems.add(e.getMessage());
            }

            @Override
            public void fatalError(SAXParseException e) {
                problems.add(e.getMessage());
            }
        });
        v.validate(new StreamSource(new ByteArrayInputStream(doc)));
        return problems;
    }

    @Test
    void everyFixtureIsValidCycloneDx17() throws Exception {
        for (String fixture : SbomTesting.FIXTURES) {
            Sbom sbom = SbomTesting.sbom(SbomTesting.fixture(fixture));
            byte[] j = SbomTesting.render(sbom, "cyclonedx-json@1.7");
            byte[] x = SbomTesting.render(sbom, "cyclonedx-xml@1.7");
            assertTrue(new String(j, StandardCharsets.UTF_8).contains("\"specVersion\" : \"1.7\""), fixture);
            assertTrue(new String(x, StandardCharsets.UTF_8).contains("xmlns=\"http://cyclonedx.org/schema/bom/1.7\""));
            assertEquals(List.of(), validateJson(j), fixture + " as cyclonedx-json@1.7");
            assertEquals(List.of(), validateXml(x), fixture + " as cyclonedx-xml@1.7");
        }
    }

    @Test
    void theSchemasCatchBrokenDocumentsAndOlderOnes() throws Exception {
        Sbom sbom = SbomTesting.sbom(SbomTesting.fixture("lang-apps"));
        String j = new String(SbomTesting.render(sbom, "cyclonedx-json@1.7"), StandardCharsets.UTF_8);
        assertFalse(validateJson(j.replace("\"bom-ref\"", "\"bom-reference\"").getBytes(StandardCharsets.UTF_8))
                .isEmpty());
        // A 1.6 document is not a 1.7 one: the namespace differs.
        assertFalse(validateXml(SbomTesting.render(sbom, "cyclonedx-xml")).isEmpty());
    }

    @Test
    void readsBackAsWhatWasWritten() throws Exception {
        Sbom sbom = SbomTesting.sbom(SbomTesting.fixture("apko-wolfi"));
        for (String format : List.of("cyclonedx-json@1.7", "cyclonedx-xml@1.7")) {
            byte[] first = SbomTesting.render(sbom, format);
            byte[] again = SbomTesting.render(SbomReader.read(first, "doc", java.time.Instant.EPOCH), format);
            assertEquals(new String(first, StandardCharsets.UTF_8), new String(again, StandardCharsets.UTF_8), format);
        }
    }
}
