package dev.distill.oci.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** JSON shape of an OCI image manifest or a Docker v2 schema 2 manifest. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ManifestTemplate(
        @JsonProperty("schemaVersion") Integer schemaVersion,
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("artifactType") String artifactType,
        @JsonProperty("config") DescriptorTemplate config,
        @JsonProperty("layers") List<DescriptorTemplate> layers,
        @JsonProperty("subject") DescriptorTemplate subject,
        @JsonProperty("annotations") Map<String, String> annotations) {
}
