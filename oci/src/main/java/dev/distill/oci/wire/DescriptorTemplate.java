package dev.distill.oci.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** JSON shape of an OCI / Docker content descriptor. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DescriptorTemplate(
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("digest") String digest,
        @JsonProperty("size") Long size,
        @JsonProperty("urls") List<String> urls,
        @JsonProperty("annotations") Map<String, String> annotations,
        @JsonProperty("platform") PlatformTemplate platform,
        @JsonProperty("artifactType") String artifactType) {

    public DescriptorTemplate(String mediaType, String digest, long size) {
        this(mediaType, digest, size, null, null, null, null);
    }
}
