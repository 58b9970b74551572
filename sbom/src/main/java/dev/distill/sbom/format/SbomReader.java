package dev.distill.sbom.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.oci.wire.Json;
import dev.distill.sbom.model.Sbom;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Reads an SPDX 2.x (JSON or tag-value), SPDX 3 (JSON-LD) or CycloneDX (JSON or XML) document back into the model, telling the
 * format from the content. What a format does not carry (CycloneDX has no owned files, SPDX no package
 * properties) is absent from the result.
 */
public final class SbomReader {
    private SbomReader() {
    }

    /**
     * @param name names the document in errors
     * @param fallbackTime the timestamp to use when the document has none
     */
    public static Sbom read(byte[] data, String name, Instant fallbackTime) throws IOException {
        String text = new String(data, StandardCharsets.UTF_8).stripLeading();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        if (text.startsWith("<")) {
            return CycloneDxReader.read(data, false, name, fallbackTime);
        }
        if (text.startsWith("{")) {
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(data);
            } catch (JsonProcessingException e) {
                throw new SbomFormatException(name + " " + Json.problem(e), e);
            }
            if (root.has("bomFormat")) {
                return CycloneDxReader.read(data, true, name, fallbackTime);
            }
            if (root.has("spdxVersion")) {
                return SpdxReader.read(data, SpdxWriter.Kind.JSON, name);
            }
            if (root.has("@context") && root.path("@context").asText("").contains("spdx.org/rdf/3.")) {
                return Spdx3Reader.read(root, name);
            }
            throw new SbomFormatException(name + ": JSON, but neither SPDX (no spdxVersion or SPDX 3 @context) nor "
                    + "CycloneDX (no bomFormat)");
        }
        if (text.startsWith("SPDXVersion:") || text.contains("\nSPDXVersion:")) {
            return SpdxReader.read(data, SpdxWriter.Kind.TAG_VALUE, name);
        }
        throw new SbomFormatException(name + " is not an SPDX or CycloneDX document");
    }
}
