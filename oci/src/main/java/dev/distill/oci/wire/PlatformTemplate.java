package dev.distill.oci.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** JSON shape of a descriptor's platform. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlatformTemplate(
        @JsonProperty("architecture") String architecture,
        @JsonProperty("os") String os,
        @JsonProperty("os.version") String osVersion,
        @JsonProperty("os.features") List<String> osFeatures,
        @JsonProperty("variant") String variant) {
}
