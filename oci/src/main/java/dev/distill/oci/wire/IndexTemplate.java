package dev.distill.oci.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** JSON shape of an OCI image index, a Docker manifest list, or an OCI layout's {@code index.json}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IndexTemplate(
        @JsonProperty("schemaVersion") Integer schemaVersion,
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("manifests") List<DescriptorTemplate> manifests,
        @JsonProperty("annotations") Map<String, String> annotations) {
}
