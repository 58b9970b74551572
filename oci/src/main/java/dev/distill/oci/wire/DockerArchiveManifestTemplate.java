package dev.distill.oci.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One element of the {@code manifest.json} array that {@code docker save} writes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DockerArchiveManifestTemplate(
        @JsonProperty("Config") String config,
        @JsonProperty("RepoTags") List<String> repoTags,
        @JsonProperty("Layers") List<String> layers) {
}
